import { describe, expect, it } from 'vitest';
import { configSchema } from './schema.js';
import { allZones, deviceZones, stockZoneIds, zoneOfAntenna } from './zones.js';

const reader = (extra: Record<string, unknown>) =>
  configSchema.parse({ readers: [{ id: 'door', driver: 'thingmagic', port: '/dev/null', ...extra }] })
    .readers[0] as NonNullable<ReturnType<typeof configSchema.parse>['readers'][number]>;

describe('zones of a device', () => {
  it('maps listed antennas to their zones and every other one to the reader zone, else the reader id', () => {
    const zones = deviceZones(reader({ antennaZones: { '1': 'inside', '2': 'outside' } }));
    expect([zoneOfAntenna(zones, 1), zoneOfAntenna(zones, 2), zoneOfAntenna(zones, 3)]).toEqual([
      'inside',
      'outside',
      'door',
    ]);
    expect(zones.all).toEqual(['door', 'inside', 'outside']);
    expect(deviceZones(reader({ zone: 'fridge' })).fallback).toBe('fridge');
  });

  it('does not show the fallback zone of a reader whose antennas are all mapped', () => {
    // config/exit-door.json: antennas 1 and 2, each in a zone; nothing can land in `door`.
    const exitDoor = reader({
      antennaZones: { '1': 'inside', '2': 'outside' },
      settings: { antennas: [1, 2] },
    });
    expect(deviceZones(exitDoor).shown).toEqual(['inside', 'outside']);
    // Antenna 3 is read and not mapped: its reads land in `door`, which is shown.
    const third = reader({
      antennaZones: { '1': 'inside', '2': 'outside' },
      settings: { antennas: [1, 2, 3] },
    });
    expect(deviceZones(third).shown).toEqual(['door', 'inside', 'outside']);
    // A zone the config names is shown; so is the reader id of a reader that maps nothing.
    expect(deviceZones(reader({ zone: 'hall', antennaZones: { '1': 'inside' } })).shown).toEqual([
      'hall',
      'inside',
    ]);
    expect(deviceZones(reader({})).shown).toEqual(['door']);
  });

  it('still gives the core every zone, the unreachable fallback included', () => {
    const config = configSchema.parse({
      readers: [
        {
          id: 'door',
          driver: 'thingmagic',
          port: '/dev/null',
          antennaZones: { '1': 'inside', '2': 'outside' },
        },
      ],
      cabinets: [],
    });
    expect(allZones(config).map((zone) => zone.id)).toEqual(['door', 'inside', 'outside']);
    expect(stockZoneIds(config)).toEqual(['inside', 'outside']);
  });
});
