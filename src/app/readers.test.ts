import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { silentLogger } from '../observability/logger.js';
import { ID20LA_ESPHOME_13753, RDM6300_ARDUINO_ESP32_1405 } from '../protocols/em4100-ascii/fixtures.js';
import { VirtualClock } from '../shared/clock.js';
import type { EventBody } from '../shared/events.js';
import { Readers } from './readers.js';

const START = Date.parse('2026-11-30T10:00:00.000Z');

function setup(sweepIntervalMs = 100) {
  const clock = new VirtualClock(START);
  const events: Array<{ body: EventBody; atMs: number | undefined }> = [];
  const config = configSchema.parse({
    readers: [{ id: 'door', driver: 'em4100-ascii', port: 'replay:unused.jsonl' }],
    core: { sweepIntervalMs },
  });
  const readers = new Readers({
    config,
    clock,
    logger: silentLogger(),
    emit: (body, atMs) => events.push({ body, atMs }),
  });
  readers.start();
  const door = readers.pipeline('door');
  if (!door) throw new Error('no door pipeline');
  return { clock, events, readers, door };
}

describe('Readers: departures from one timer at the next deadline', () => {
  it('sets no timer at all while nothing is present', () => {
    const { clock } = setup();
    expect(clock.nextTimerAt()).toBeUndefined();
    clock.advanceTo(START + 60_000);
    expect(clock.nextTimerAt()).toBeUndefined();
  });

  it('wakes at the departure deadline, fires it, and then sleeps', () => {
    const { clock, events, door } = setup();
    door.ingest(ID20LA_ESPHOME_13753);
    expect(events.map((event) => event.body.type)).toEqual(['tag.arrived']);
    // The default hold-off: the tag departs 3000 ms after its last read.
    expect(clock.nextTimerAt()).toBe(START + 3000);

    clock.advanceTo(START + 1000);
    door.ingest(ID20LA_ESPHOME_13753);
    // A later read pushes the deadline back; the timer finds nothing due and re-arms for it.
    clock.advanceTo(START + 3999);
    expect(events.map((event) => event.body.type)).toEqual(['tag.arrived']);
    clock.advanceTo(START + 4000);
    expect(events.map((event) => [event.body.type, event.atMs])).toEqual([
      ['tag.arrived', START],
      ['tag.departed', START + 4000],
    ]);
    expect(clock.nextTimerAt()).toBeUndefined();
  });

  it('keeps at least sweepIntervalMs between sweeps, and dates each departure at its deadline', () => {
    const { clock, events, door } = setup(1000);
    door.ingest(ID20LA_ESPHOME_13753);
    clock.advanceTo(START + 100);
    door.ingest(RDM6300_ARDUINO_ESP32_1405);
    clock.advanceTo(START + 3000);
    // The second tag is due at 3100, but the next sweep waits for the interval.
    expect(clock.nextTimerAt()).toBe(START + 4000);
    clock.advanceTo(START + 10_000);
    const departures = events.filter((event) => event.body.type === 'tag.departed');
    expect(departures.map((event) => event.atMs)).toEqual([START + 3000, START + 3100]);
    expect(clock.nextTimerAt()).toBeUndefined();
  });

  it('stops its timer when stopped', async () => {
    const { clock, door, readers } = setup();
    door.ingest(ID20LA_ESPHOME_13753);
    expect(clock.nextTimerAt()).toBe(START + 3000);
    await readers.stop();
    expect(clock.nextTimerAt()).toBeUndefined();
  });
});
