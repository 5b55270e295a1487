import type { GatewayConfigInput } from '../../../src/config/schema.js';

/**
 * The smart fridge most tests run, as config: reader `fridge` (ThingMagic) on zone `fridge`, card
 * reader `badge` (ID-12) on zone `entrance`, the `lines` controller `io` on zone `fridge` with its
 * lock output `lock`, and cabinet `fridge-1` (priced in EUR) that ties them together. The ids and
 * drivers are the kit's: tests name them. Anything a test depends on besides them (an unlock pulse,
 * settle timings, a scale) it passes as an override.
 */

type Devices = Required<Pick<GatewayConfigInput, 'readers' | 'sensors' | 'actuators' | 'cabinets'>>;
type Reader = Devices['readers'][number];
type Sensor = Devices['sensors'][number];
type Cabinet = Devices['cabinets'][number];

/** Where each device is: a device path, a pty, `fake:<id>`, `replay:<capture>`. */
export interface FridgePorts {
  fridge: string;
  badge: string;
  io: string;
}

/** Settings laid over the kit's, device by device (one level deep: a `settle` given replaces the kit's). */
export interface FridgeOverrides {
  reader?: Partial<Reader>;
  sensor?: Partial<Sensor>;
  cabinet?: Partial<Cabinet>;
}

/** The door and lock controller and the cabinet, for a test that brings its own readers (one of them `badge`). */
export function fridgeCabinet(
  io: string,
  overrides: Omit<FridgeOverrides, 'reader'> = {},
): Pick<Devices, 'sensors' | 'actuators' | 'cabinets'> {
  return {
    sensors: [{ id: 'io', driver: 'lines', port: io, zone: 'fridge', ...overrides.sensor }],
    actuators: [{ id: 'lock', driver: 'lines', device: 'io', channel: 'lock', safeState: 'closed' }],
    cabinets: [
      {
        id: 'fridge-1',
        zone: 'fridge',
        cardReader: 'badge',
        door: { sensor: 'io' },
        lock: 'lock',
        currency: 'EUR',
        ...overrides.cabinet,
      },
    ],
  };
}

/** The whole fridge: its two readers beside the controller and the cabinet. */
export function fridgeDevices(ports: FridgePorts, overrides: FridgeOverrides = {}): Devices {
  return {
    readers: [
      { id: 'fridge', driver: 'thingmagic', port: ports.fridge, zone: 'fridge', ...overrides.reader },
      { id: 'badge', driver: 'em4100-ascii', port: ports.badge, zone: 'entrance' },
    ],
    ...fridgeCabinet(ports.io, overrides),
  };
}
