import { describe, expect, it } from 'vitest';
import { resolveEngineConfig, validateEngineConfig } from './config.js';

describe('resolveEngineConfig', () => {
  it('fills the documented defaults and adds a zone per reader (zone = reader id)', () => {
    const config = resolveEngineConfig({ readers: [{ id: 'door' }] });
    expect(config).toEqual({
      capacity: 16384,
      maxTagBytes: 62,
      ringSize: 4096,
      zones: [
        {
          id: 'door',
          arriveAfterReads: 1,
          arriveWindowMs: 2000,
          departAfterMs: 3000,
          rssiFloor: null,
          reReportMs: null,
        },
      ],
      readers: [{ id: 'door', antennaZones: {}, defaultZone: 'door' }],
      include: [],
      exclude: [],
      crossRead: { hysteresisDb: 3, smoothing: 0.3, staleAfterMs: 1000 },
      doors: [],
      overflowReportMs: 10_000,
    });
    expect(() => validateEngineConfig(config)).not.toThrow();
  });

  it('applies zoneDefaults under each zone, and lets no explicit undefined erase a default', () => {
    const config = resolveEngineConfig({
      zoneDefaults: { departAfterMs: 5000, arriveAfterReads: undefined },
      zones: [{ id: 'fridge', rssiFloor: -70 }],
      readers: [{ id: 'nano', antennaZones: { 1: 'fridge', 2: 'shelf' } }],
      doors: [{ id: 'front', path: ['fridge', 'shelf'] }],
    });
    expect(config.zones).toEqual([
      {
        id: 'fridge',
        arriveAfterReads: 1,
        arriveWindowMs: 2000,
        departAfterMs: 5000,
        rssiFloor: -70,
        reReportMs: null,
      },
      {
        id: 'nano',
        arriveAfterReads: 1,
        arriveWindowMs: 2000,
        departAfterMs: 5000,
        rssiFloor: null,
        reReportMs: null,
      },
      {
        id: 'shelf',
        arriveAfterReads: 1,
        arriveWindowMs: 2000,
        departAfterMs: 5000,
        rssiFloor: null,
        reReportMs: null,
      },
    ]);
    expect(config.doors).toEqual([{ id: 'front', path: ['fridge', 'shelf'], windowMs: 5000 }]);
  });
});

describe('validateEngineConfig', () => {
  const valid = () => resolveEngineConfig({ readers: [{ id: 'r' }] });
  it.each([
    [{ capacity: 0 }, 'capacity: must be an integer from 1 to 4194304, got 0'],
    [{ maxTagBytes: 256 }, 'maxTagBytes: must be an integer from 1 to 255, got 256'],
    [{ ringSize: 48 }, 'ringSize: must be a power of two, got 48'],
    [{ zones: [] }, 'zones: at least one zone is needed'],
    [
      { crossRead: { hysteresisDb: 3, smoothing: 0, staleAfterMs: 1000 } },
      'crossRead.smoothing: must be in (0, 1], got 0',
    ],
  ])('rejects %j', (patch, message) => {
    expect(() => validateEngineConfig({ ...valid(), ...patch })).toThrow(message);
  });

  it('names the zone, reader or door at fault', () => {
    const config = valid();
    const zone = config.zones[0];
    expect(() =>
      validateEngineConfig({
        ...config,
        zones: [{ ...(zone as NonNullable<typeof zone>), arriveAfterReads: 1.5 }],
      }),
    ).toThrow('zones[0].arriveAfterReads: must be an integer from 1 to 64, got 1.5');
    expect(() =>
      validateEngineConfig({
        ...config,
        readers: [{ id: 'r', antennaZones: { 3: 'cellar' }, defaultZone: 'r' }],
      }),
    ).toThrow('readers[0].antennaZones[3]: unknown zone "cellar"');
    expect(() =>
      validateEngineConfig({ ...config, doors: [{ id: 'd', path: ['r', 'r'], windowMs: 1 }] }),
    ).toThrow('doors[0].path: zones must be distinct');
  });
});
