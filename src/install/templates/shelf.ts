import type { GatewayConfigInput } from '../../config/schema.js';

/**
 * A shelf (config/shelf.json without its demo catalog): one two-antenna ThingMagic reader on a USB
 * adapter, two shelf zones, SGTIN tags only, and the engagement figures of the shelf.
 */
export const shelf: GatewayConfigInput = {
  gatewayId: 'shelf-gw',
  dataDir: '/var/lib/rfid-gateway',
  readers: [
    {
      id: 'shelf',
      driver: 'thingmagic',
      port: '/dev/serial/by-id/usb-FTDI_FT231X_USB_UART-if00-port0',
      baudRate: 115200,
      settings: { region: 'EU3', readPowerDbm: 20, antennas: [1, 2] },
      antennaZones: { '1': 'shelf-top', '2': 'shelf-bottom' },
    },
  ],
  zones: [
    { id: 'shelf-top', arriveAfterReads: 2, departAfterMs: 10000, rssiFloor: -75 },
    { id: 'shelf-bottom', arriveAfterReads: 2, departAfterMs: 10000, rssiFloor: -75 },
  ],
  crossRead: { hysteresisDb: 6, smoothing: 0.3, staleAfterMs: 5000 },
  filters: { include: ['urn:epc:pat:sgtin-96:*.*.*.*'], exclude: [] },
  engagement: {
    zones: ['shelf-top', 'shelf-bottom'],
    putBackWithinMs: 300000,
    timeZone: 'Europe/Berlin',
    retentionDays: 400,
  },
  mqtt: { url: 'mqtt://127.0.0.1:1883' },
};
