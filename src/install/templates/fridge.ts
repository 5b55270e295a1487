import type { GatewayConfigInput } from '../../config/schema.js';

/**
 * A smart fridge (config/fridge.json without its demo catalog and demo customer): a ThingMagic
 * reader on the Pi's UART, a badge reader on a USB adapter, and the door/lock microcontroller.
 * Cards are allowed with MQTT `customers/set`; products come with `rfid-gateway catalog import`.
 */
export const fridge: GatewayConfigInput = {
  gatewayId: 'fridge-gw',
  dataDir: '/var/lib/rfid-gateway',
  readers: [
    {
      id: 'fridge',
      driver: 'thingmagic',
      port: '/dev/ttyAMA0',
      settings: { region: 'EU3', readPowerDbm: 22, antennas: [1] },
      zone: 'fridge',
    },
    {
      id: 'badge',
      driver: 'em4100-ascii',
      port: '/dev/serial/by-id/usb-FTDI_FT231X-if00-port0',
      zone: 'fridge-door',
    },
  ],
  sensors: [
    { id: 'io', driver: 'lines', port: '/dev/serial/by-id/usb-Arduino_Nano_Every-if00', zone: 'fridge' },
  ],
  actuators: [{ id: 'lock', driver: 'lines', device: 'io', channel: 'lock', safeState: 'closed' }],
  zones: [
    { id: 'fridge', arriveAfterReads: 1, departAfterMs: 5000, rssiFloor: -75 },
    { id: 'fridge-door', departAfterMs: 1000 },
  ],
  filters: { include: [], exclude: ['E2801160'] },
  cabinets: [
    {
      id: 'fridge-1',
      zone: 'fridge',
      cardReader: 'badge',
      door: { sensor: 'io', channel: 'door', openValue: 'open', closedValue: 'closed' },
      lock: 'lock',
      unlockMs: 5000,
      display: 'fridge-1',
      currency: 'EUR',
      openTimeoutMs: 15000,
      doorOpenAlarmMs: 60000,
      settle: { bound: 1e-6, maxMs: 10000, cycleMs: 250 },
    },
  ],
  mqtt: { url: 'mqtt://127.0.0.1:1883' },
};
