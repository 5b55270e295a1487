import type { GatewayConfigInput } from '../../config/schema.js';

/**
 * An exit door (config/exit-door.json): a two-antenna ThingMagic reader inside and outside, and a
 * microcontroller with a buzzer and a light that sound when an unpaid item walks out.
 */
export const door: GatewayConfigInput = {
  gatewayId: 'exit-gw',
  dataDir: '/var/lib/rfid-gateway',
  readers: [
    {
      id: 'door',
      driver: 'thingmagic',
      port: '/dev/serial/by-id/usb-SparkFun_Simultaneous_RFID-if00-port0',
      settings: { region: 'EU3', readPowerDbm: 27, antennas: [1, 2] },
      antennaZones: { '1': 'inside', '2': 'outside' },
    },
  ],
  sensors: [
    { id: 'io', driver: 'lines', port: '/dev/serial/by-id/usb-Arduino_Nano_Every-if00', zone: 'outside' },
  ],
  actuators: [
    { id: 'buzzer', driver: 'lines', device: 'io', channel: 'buzzer', safeState: 'off' },
    { id: 'light', driver: 'lines', device: 'io', channel: 'light', safeState: 'off' },
  ],
  zones: [
    { id: 'inside', departAfterMs: 2000 },
    { id: 'outside', departAfterMs: 2000 },
  ],
  crossRead: { hysteresisDb: 4, smoothing: 0.3, staleAfterMs: 500 },
  doors: [{ id: 'front', path: ['inside', 'outside'], windowMs: 5000 }],
  exitMonitor: {
    doors: ['front'],
    unknownTags: 'alarm',
    alarmIntervalMs: 60000,
    paidTtlMs: 86400000,
    alarm: { actuators: ['buzzer', 'light'], value: 'on', pulseMs: 3000 },
  },
  mqtt: { url: 'mqtt://127.0.0.1:1883' },
};
