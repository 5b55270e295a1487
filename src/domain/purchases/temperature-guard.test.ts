import { describe, expect, it } from 'vitest';
import { temperatureGuardSchema } from '../../config/temperature.js';
import { createLogger } from '../../observability/logger.js';
import { VirtualClock } from '../../shared/clock.js';
import type { EventBody } from '../../shared/events.js';
import type { Bus } from '../../shared/extension.js';
import { TemperatureGuard, type TemperatureState } from './temperature-guard.js';

const T0 = Date.parse('2026-11-30T10:00:00.000Z');
const MIN = 60_000;

/** The guard with a bus that keeps what it is given; `failCommits` makes the store refuse that many. */
function setup(options: { restore?: TemperatureState; failCommits?: number } = {}) {
  const clock = new VirtualClock(T0);
  const logs: Array<{ level: number; msg: string; [key: string]: unknown }> = [];
  const logger = createLogger({
    level: 'debug',
    destination: { write: (line: string) => void logs.push(JSON.parse(line)) },
  });
  const events: EventBody[] = [];
  const blocks: boolean[] = [];
  let saved: TemperatureState | undefined;
  let failCommits = options.failCommits ?? 0;
  const bus = {
    emit: (body: EventBody) => void events.push(body),
    transaction: <T>(fn: () => T): T => {
      const before = events.length;
      if (failCommits > 0) {
        failCommits -= 1;
        throw new Error('database or disk is full');
      }
      try {
        return fn();
      } catch (error) {
        events.length = before;
        throw error;
      }
    },
  } as unknown as Bus;
  const guard = new TemperatureGuard({
    cabinet: 'fridge-1',
    zone: 'fridge',
    settings: temperatureGuardSchema.parse({ sensor: 'io', maxC: 8 }),
    clock,
    logger,
    bus,
    save: (state) => {
      saved = structuredClone(state);
    },
    block: (exceeded) => void blocks.push(exceeded),
  });
  guard.restore(options.restore);
  const at = (ms: number) => clock.advanceTo(T0 + ms);
  const alarms = () => events.filter((event) => event.type === 'security.alarm');
  return { clock, guard, events, alarms, blocks, logs, at, saved: () => saved };
}

describe('TemperatureGuard', () => {
  it('lets a short excursion pass: above the limit for less than forMs is nothing', () => {
    const { guard, at, events, blocks } = setup();
    guard.reading(4.5);
    at(1 * MIN);
    guard.reading(9.5); // the door held open while restocking
    at(15 * MIN + 59_999);
    guard.reading(7.9);
    at(60 * MIN);
    expect(events).toEqual([]);
    expect(blocks).toEqual([]);
    expect(guard.exceeded).toBe(false);
  });

  it('stops selling after forMs above the limit, with one alarm for the whole excursion', () => {
    const { guard, at, alarms, blocks, logs } = setup();
    guard.reading(5);
    at(2 * MIN);
    guard.reading(8.5);
    at(5 * MIN);
    guard.reading(9.5); // still above: the count goes on from 2 min
    at(17 * MIN - 1);
    expect(blocks).toEqual([]);
    at(17 * MIN);
    expect(blocks).toEqual([true]);
    expect(guard.exceeded).toBe(true);
    expect(alarms()).toEqual([
      {
        type: 'security.alarm',
        kind: 'temperature',
        cabinet: 'fridge-1',
        zone: 'fridge',
        sensor: 'io',
        channel: 'temperature',
        temperatureC: 9.5,
        limitC: 8,
        since: '2026-11-30T10:02:00.000Z',
        detail: 'above 8 °C for 15 min',
      },
    ]);
    expect(logs.find((line) => line.msg.startsWith('cabinet too warm'))).toMatchObject({ level: 40 });
    // Warm for hours, briefly down and up again (not long enough to resume): still one alarm.
    guard.reading(12);
    at(120 * MIN);
    guard.reading(7);
    at(125 * MIN);
    guard.reading(11);
    at(300 * MIN);
    expect(alarms()).toHaveLength(1);
    expect(blocks).toEqual([true]);
  });

  it('resumes by itself after resumeAfterMs at or below the limit, and counts afresh next time', () => {
    const { guard, at, alarms, blocks, logs } = setup();
    guard.reading(10);
    at(15 * MIN);
    expect(blocks).toEqual([true]);
    at(20 * MIN);
    guard.reading(8); // at the limit is not above it
    at(30 * MIN - 1);
    expect(blocks).toEqual([true]);
    at(30 * MIN);
    expect(blocks).toEqual([true, false]);
    expect(guard.exceeded).toBe(false);
    expect(logs.find((line) => line.msg.startsWith('cabinet selling again'))).toMatchObject({
      level: 30,
      msg: 'cabinet selling again: cooled down',
      stoppedForMs: 15 * MIN,
    });
    // A second excursion is a second alarm.
    guard.reading(9);
    at(45 * MIN);
    expect(blocks).toEqual([true, false, true]);
    expect(alarms()).toHaveLength(2);
  });

  it('resumes at once on request; still too warm, it stops again after another forMs', () => {
    const { guard, at, alarms, blocks } = setup();
    expect(guard.resume()).toBe(false);
    guard.reading(10);
    at(15 * MIN);
    at(16 * MIN);
    expect(guard.resume()).toBe(true);
    expect(blocks).toEqual([true, false]);
    at(31 * MIN - 1);
    expect(blocks).toEqual([true, false]);
    at(31 * MIN);
    expect(blocks).toEqual([true, false, true]);
    expect(alarms().map((alarm) => alarm.type === 'security.alarm' && alarm.since)).toEqual([
      '2026-11-30T10:00:00.000Z',
      '2026-11-30T10:16:00.000Z',
    ]);
  });

  it('ignores and counts a value that is not a number: the last reading stands', () => {
    const { guard, at, blocks, logs } = setup();
    guard.reading(10);
    at(5 * MIN);
    guard.reading('err');
    guard.reading('sensor fault');
    guard.reading('NaN');
    at(15 * MIN);
    expect(guard.ignored).toBe(3);
    expect(blocks).toEqual([true]);
    expect(guard.lastValue).toBe(10);
    expect(logs.filter((line) => line.msg.startsWith('temperature reading is not a number'))).toEqual([
      expect.objectContaining({ level: 40, value: 'err', ignored: 1, sensor: 'io', channel: 'temperature' }),
    ]);
    // A plain decimal in a string (a JSON line) is a number.
    guard.reading('6.5');
    at(25 * MIN);
    expect(blocks).toEqual([true, false]);
  });

  it('keeps selling stopped across a restart until fresh readings have been low for resumeAfterMs', () => {
    const first = setup();
    first.guard.reading(10);
    first.at(15 * MIN);
    first.guard.reading(6); // cooling down when the gateway stops
    const kept = first.saved();
    expect(kept).toEqual({
      value: 6,
      aboveSince: undefined,
      excursion: { since: T0, at: T0 + 15 * MIN, alarmed: true },
    });
    first.guard.stop();

    const again = setup({ restore: kept });
    expect(again.blocks).toEqual([true]);
    again.at(60 * MIN); // the time before the restart and silence since do not count
    expect(again.blocks).toEqual([true]);
    again.guard.reading(5.5);
    again.at(70 * MIN);
    expect(again.blocks).toEqual([true, false]);
    expect(again.alarms()).toEqual([]); // the excursion's alarm was raised before the restart
  });

  it('counts a warm reading from before a restart on from when it went above the limit', () => {
    const { blocks, alarms, at } = setup({
      restore: { value: 9, aboveSince: T0 - 10 * MIN, excursion: undefined },
    });
    at(5 * MIN - 1);
    expect(blocks).toEqual([]);
    at(5 * MIN);
    expect(blocks).toEqual([true]);
    expect(alarms()).toHaveLength(1);
  });

  it('raises the alarm of an excursion whose alarm the store had not taken before a restart', () => {
    const { blocks, alarms } = setup({
      restore: {
        value: 9,
        aboveSince: T0 - 20 * MIN,
        excursion: { since: T0 - 20 * MIN, at: T0 - 5 * MIN, alarmed: false },
      },
    });
    expect(blocks).toEqual([true]);
    expect(alarms()).toEqual([
      expect.objectContaining({ kind: 'temperature', since: '2026-11-30T09:40:00.000Z' }),
    ]);
  });

  it('stops selling even when the store refuses the alarm, and commits the alarm once it can', () => {
    // The store refuses three commits: the first warm reading's state, the alarm, its first retry.
    const { guard, at, alarms, blocks, saved } = setup({ failCommits: 3 });
    guard.reading(10); // not stored: logged, the guard goes on from memory
    at(15 * MIN);
    expect(blocks).toEqual([true]);
    expect(alarms()).toEqual([]);
    at(15 * MIN + 1000);
    expect(alarms()).toEqual([]);
    at(15 * MIN + 2000);
    expect(alarms()).toHaveLength(1);
    expect(saved()?.excursion?.alarmed).toBe(true);
    at(60 * MIN);
    expect(alarms()).toHaveLength(1);
  });
});
