import { describe, expect, it } from 'vitest';
import { configSchema } from '../../config/schema.js';
import { DoorMap, exitMonitorChecks } from './door-map.js';

const door = (id: string, path: string[]) => ({ id, path, windowMs: 5000 });

describe('door map', () => {
  it("maps an exit's last step back to its door, whatever the path's length", () => {
    const map = new DoorMap(
      [door('front', ['inside', 'outside']), door('back', ['store', 'corridor', 'yard'])],
      ['front', 'back'],
    );
    expect(map.doorFor('inside', 'outside')).toBe('front');
    expect(map.doorFor('corridor', 'yard')).toBe('back');
    // Not a last step, or the wrong way round: no door.
    expect(map.doorFor('store', 'corridor')).toBeUndefined();
    expect(map.doorFor('outside', 'inside')).toBeUndefined();
    expect(map.sharedLastSteps).toEqual([]);
  });

  it('ignores doors that are not watched', () => {
    const map = new DoorMap(
      [door('front', ['inside', 'outside']), door('staff', ['back', 'yard'])],
      ['front'],
    );
    expect(map.doorFor('back', 'yard')).toBeUndefined();
  });

  it('tells doors sharing an outside zone apart by the zone the tag came from', () => {
    const map = new DoorMap(
      [door('left', ['shop-left', 'street']), door('right', ['shop-right', 'street'])],
      ['left', 'right'],
    );
    expect(map.doorFor('shop-left', 'street')).toBe('left');
    expect(map.doorFor('shop-right', 'street')).toBe('right');
    expect(map.sharedLastSteps).toEqual([]);
  });

  it('gives a last step shared by several doors to the first watched one, and says so', () => {
    const doors = [
      door('staff', ['backroom', 'vestibule', 'street']),
      door('customers', ['shop', 'vestibule', 'street']),
      door('delivery', ['dock', 'vestibule', 'street']),
    ];
    // The unwatched staff door comes first; the exit is still the watched customers door's.
    const map = new DoorMap(doors, ['delivery', 'customers']);
    expect(map.doorFor('vestibule', 'street')).toBe('customers');
    expect(map.sharedLastSteps).toEqual([
      { from: 'vestibule', to: 'street', doors: ['staff', 'customers', 'delivery'], named: 'customers' },
    ]);
    const none = new DoorMap([...doors, door('front', ['a', 'b'])], ['front']);
    expect(none.doorFor('vestibule', 'street')).toBeUndefined();
    expect(none.sharedLastSteps[0]?.named).toBeUndefined();
  });

  it('refuses a watched door the config does not have, naming the config path', () => {
    expect(() => new DoorMap([door('front', ['inside', 'outside'])], ['front', 'back'])).toThrow(
      'exitMonitor.doors[1]: "back" is not a door of this config (doors: front)',
    );
    const config = configSchema.parse({
      doors: [door('front', ['inside', 'outside'])],
      exitMonitor: { doors: ['frnt', 'front', 'front'] },
    });
    expect(exitMonitorChecks(config)).toEqual([
      { path: 'exitMonitor.doors[0]', message: '"frnt" is not a door of this config (doors: front)' },
      { path: 'exitMonitor.doors[2]', message: '"front" is listed twice' },
    ]);
    expect(exitMonitorChecks(configSchema.parse({}))).toEqual([]);
  });
});
