/**
 * SQLite outbox benchmarks, on a real file in the temp directory (fsync matters, so not on tmpfs):
 * - `outbox.commit`: events/s through append + commit in batches of 100 realistic events (mostly
 *   tag.* with an EPC, some sensor.changed; ~320 bytes of JSON on average), synchronous=NORMAL. Events
 *   are built before timing: the figure is the outbox's own work (serialising, inserting, committing).
 * - `outbox.commit.full`: the same with synchronous=FULL (an fsync per commit), the durability every
 *   batch holding a purchase or an alarm gets.
 * - `outbox.markSent`: events/s read back with `pending` and acknowledged (deleted) in batches of 100,
 *   as the publisher does when PUBACKs arrive.
 * Each figure is the median of 5 runs, each run on a fresh database.
 */
import { statfsSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../../src/observability/logger.js';
import { VirtualClock } from '../../src/shared/clock.js';
import type { GatewayEvent } from '../../src/shared/events.js';
import { SqliteOutbox } from '../../src/store/sqlite-outbox.js';
import { makeEvent, tempDir } from '../kits/store/store.js';
import { median } from './median.js';

type Report = (bench: string, value: number, unit: string) => void;

const RUNS = 5;
const BATCH = 100;
const TYPES = ['tag.arrived', 'tag.departed', 'tag.arrived', 'tag.moved', 'sensor.changed'];
/** tmpfs ignores fsync, which would make the FULL figure meaningless. */
const TMPFS_MAGIC = 0x01021994;

/** Events numbered from `firstSeq`, built before timing so that only the outbox's work is measured. */
function makeEvents(firstSeq: number, count: number): GatewayEvent[] {
  return Array.from({ length: count }, (_, index) =>
    makeEvent(firstSeq + index, TYPES[index % TYPES.length] as string),
  );
}

function fill(outbox: SqliteOutbox, events: readonly GatewayEvent[]): void {
  for (let start = 0; start < events.length; start += BATCH) {
    for (const event of events.slice(start, start + BATCH)) outbox.append(event);
    outbox.commit();
  }
}

/** One run: returns events/s committed and events/s acknowledged. */
function runOnce(synchronous: 'NORMAL' | 'FULL', batches: number): { commit: number; ack: number } {
  const dir = tempDir('outbox-bench-');
  try {
    const outbox = SqliteOutbox.open({
      path: join(dir.path, 'outbox.db'),
      clock: new VirtualClock(0),
      logger: silentLogger(),
      synchronous,
    });
    fill(outbox, makeEvents(1, 2 * BATCH)); // warms the statement cache and the file
    const events = makeEvents(2 * BATCH + 1, batches * BATCH);
    let started = performance.now();
    fill(outbox, events);
    const commit = events.length / ((performance.now() - started) / 1000);
    started = performance.now();
    let after = 0;
    for (;;) {
      const records = outbox.pending(after, BATCH);
      if (records.length === 0) break;
      outbox.markSent(records.map((record) => record.seq));
      after = records[records.length - 1]?.seq ?? after;
    }
    const ack = (events.length + 2 * BATCH) / ((performance.now() - started) / 1000);
    outbox.close();
    return { commit, ack };
  } finally {
    dir.dispose();
  }
}

export async function run(report: Report): Promise<void> {
  const probe = tempDir('outbox-bench-');
  const tmpfs = statfsSync(probe.path).type === TMPFS_MAGIC;
  probe.dispose();
  if (tmpfs) console.log('# outbox: the temp directory is tmpfs; outbox.commit.full does not measure fsync');
  const normal = Array.from({ length: RUNS }, () => runOnce('NORMAL', 200));
  report('outbox.commit', median(normal.map((r) => r.commit)), 'events/s');
  report('outbox.markSent', median(normal.map((r) => r.ack)), 'events/s');
  const full = Array.from({ length: RUNS }, () => runOnce('FULL', 40));
  report('outbox.commit.full', median(full.map((r) => r.commit)), 'events/s');
}
