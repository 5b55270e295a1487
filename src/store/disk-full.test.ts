import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fillUp, mountTmpfs, tmpfsCapability } from '../../test/kits/store/disk.js';
import { appendEvents, captureLogger, tempDir } from '../../test/kits/store/store.js';
import { type Logger, silentLogger } from '../observability/logger.js';
import { VirtualClock } from '../shared/clock.js';
import { OutboxError } from './errors.js';
import { Store, type StoreOptions } from './store.js';

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);
const KiB = 1024;

const messages = (lines: Record<string, unknown>[], pattern: RegExp) =>
  lines.filter((line) => typeof line.msg === 'string' && pattern.test(line.msg));
const pageCount = (store: Store) => store.db.pragma('page_count', { simple: true }) as number;
/** SQLite's own limit: writes past it fail with the same SQLITE_FULL as a full disk. */
const limitPages = (store: Store, pages: number) => store.db.pragma(`max_page_count = ${pages}`);

function failure(run: () => unknown): OutboxError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(OutboxError);
    return error as OutboxError;
  }
  throw new Error('expected a failure');
}

describe('full disk (max_page_count: the real SQLITE_FULL, on any machine)', () => {
  const disposers: (() => void)[] = [];
  afterEach(() => {
    for (const dispose of disposers.splice(0).reverse()) dispose();
  });
  function open(
    where: 'file' | 'memory',
    logger: Logger,
    outbox: StoreOptions['outbox'] = {},
    clock = new VirtualClock(T0),
  ) {
    const dir = tempDir('store-full-');
    disposers.push(dir.dispose);
    const dataDir = where === 'memory' ? ':memory:' : dir.path;
    const store = Store.open({ dataDir, clock, logger, outbox });
    disposers.push(() => store.close());
    return { store, dataDir };
  }

  for (const where of ['file', 'memory'] as const) {
    it(`${where}: drops the oldest low events to make room, keeps every purchase, and recovers when space comes back`, () => {
      const { logger, lines } = captureLogger();
      // A 16 KiB reserve puts the low-water mark at 128 KiB (32 pages). 500 events take about 56
      // pages: the first batch leaves 44 of the 100 allowed, above the mark, so the second one is
      // written plainly and meets SQLITE_FULL itself.
      const { store, dataDir } = open(where, logger, { reserveBytes: 16 * KiB });
      const limit = pageCount(store) + 100;
      limitPages(store, limit);
      appendEvents(store.outbox, Array(500).fill('tag.arrived'));
      expect(store.outbox.commit()).toEqual({ committed: 500, dropped: 0 });
      expect(store.health()).toMatchObject({ diskFull: false, lastError: null });
      appendEvents(store.outbox, Array(500).fill('tag.arrived'));
      // The write that failed is retried after making room: the caller sees no failure.
      expect(store.outbox.commit()).toMatchObject({ committed: 500, dropped: expect.any(Number) });
      expect(store.health()).toMatchObject({ diskFull: true, lastError: expect.stringMatching(/full/) });
      const rounds = 2;
      const purchases: string[] = [];
      for (let round = 0; round < 30; round++) {
        const events = appendEvents(store.outbox, ['purchase.completed', ...Array(49).fill('tag.arrived')]);
        purchases.push(events[0]?.id as string);
        expect(store.outbox.commit().committed).toBe(50);
        expect(pageCount(store)).toBeLessThanOrEqual(limit);
      }
      const kept = store.outbox.pending(0, 100_000);
      expect(
        kept.filter((record) => record.type === 'purchase.completed').map((record) => record.id),
      ).toEqual(purchases);
      const dropped = store.outbox.stats().dropped['tag.arrived'] ?? 0;
      expect(dropped).toBeGreaterThan(30 * 40);
      const total = rounds * 500 + 30 * 50;
      expect(kept.length + dropped).toBe(total);
      expect(kept.length).toBeGreaterThan(200); // it keeps what fits rather than emptying itself
      expect(store.outbox.stats()).toMatchObject({ buffered: 0, diskFull: true, lastSeq: total });
      expect(messages(lines, /^store: disk full; dropping/)).toHaveLength(1);

      limitPages(store, pageCount(store) + 100_000);
      appendEvents(store.outbox, Array(50).fill('tag.arrived'));
      expect(store.outbox.commit()).toEqual({ committed: 50, dropped: 0 });
      expect(store.health()).toMatchObject({ diskFull: false, diskFullSince: null });
      expect(messages(lines, /disk space is back/)).toHaveLength(1);
      if (where === 'file') {
        store.close();
        const reopened = Store.open({ dataDir, clock: new VirtualClock(T0), logger: silentLogger() });
        disposers.push(() => reopened.close());
        expect(reopened.outbox.stats().dropped).toEqual({ 'tag.arrived': dropped });
      }
    });
  }

  it('bounds what waits in memory while nothing can be written, never dropping a purchase or an alarm', () => {
    const { logger, lines } = captureLogger();
    const clock = new VirtualClock(T0);
    const { store, dataDir } = open(
      'file',
      logger,
      { maxBufferedEvents: 1000, reserveBytes: 16 * KiB },
      clock,
    );
    // A database holding nothing that may be dropped, and no room left.
    limitPages(store, pageCount(store) + 30);
    let full: OutboxError | undefined;
    while (full === undefined) {
      appendEvents(store.outbox, Array(20).fill('purchase.completed'));
      try {
        store.outbox.commit();
      } catch (error) {
        full = error as OutboxError;
      }
    }
    expect(full).toMatchObject({ diskFull: true, path: store.path });
    expect(full.message).toMatch(/gateway\.sqlite cannot grow: the disk is full; free space/);
    limitPages(store, pageCount(store) + 1000);
    store.outbox.commit();
    limitPages(store, pageCount(store));

    const alarms: number[] = [];
    let lows = 0;
    for (let chunk = 0; chunk < 24; chunk++) {
      const types: string[] = Array.from({ length: 250 }, (_, index) =>
        index % 10 === 0 ? 'sensor.changed' : 'tag.arrived',
      );
      if (chunk % 8 === 3) types.push('security.alarm');
      for (const event of appendEvents(store.outbox, types)) {
        if ((event.type as string) === 'security.alarm') alarms.push(event.seq);
        else lows += 1;
      }
      try {
        store.outbox.commit(); // an alarm may still fit in a page's free space
      } catch (error) {
        expect(error).toMatchObject({ diskFull: true });
      }
      expect(store.outbox.stats().buffered).toBeLessThanOrEqual(1000);
      clock.advanceTo(clock.now() + 100);
    }
    const stats = store.outbox.stats();
    const droppedLows = (stats.dropped['tag.arrived'] ?? 0) + (stats.dropped['sensor.changed'] ?? 0);
    expect(droppedLows).toBeGreaterThanOrEqual(lows - 1000);
    expect(store.health()).toMatchObject({
      diskFull: true,
      bufferLimit: 1000,
      droppedFromMemory: droppedLows,
    });
    // Once while filling it with purchases, once after the room given to commit them was taken back.
    expect(messages(lines, /^store: disk full; dropping/)).toHaveLength(2);
    expect(messages(lines, /pile up in memory/)).toHaveLength(1);

    const lastSeq = store.outbox.nextSeq() - 1;
    limitPages(store, pageCount(store) + 1000);
    clock.advanceTo(clock.now() + 1000); // a full disk is retried once a second
    store.outbox.commit();
    const pending = store.outbox.pending(0, 100_000);
    expect(pending.filter((record) => record.type === 'security.alarm').map((record) => record.seq)).toEqual(
      alarms,
    );
    const finalStats = store.outbox.stats();
    const finalDropped =
      (finalStats.dropped['tag.arrived'] ?? 0) + (finalStats.dropped['sensor.changed'] ?? 0);
    expect(finalDropped + pending.filter((record) => record.type !== 'purchase.completed').length).toBe(
      lows + alarms.length,
    );
    store.close();
    const reopened = Store.open({ dataDir, clock: new VirtualClock(T0), logger: silentLogger() });
    disposers.push(() => reopened.close());
    // Dropped seqs are never handed out again, and the drops are counted for good.
    expect(reopened.outbox.nextSeq()).toBe(lastSeq + 1);
    expect(reopened.outbox.stats().dropped).toEqual(finalStats.dropped);
  });

  it('a transaction on a nearly full database makes room for its events before writing them', () => {
    const { store } = open('file', silentLogger(), { reserveBytes: 16 * KiB });
    store.migrate('shelf', ['CREATE TABLE shelf (slot TEXT PRIMARY KEY, count INTEGER NOT NULL)']);
    limitPages(store, pageCount(store) + 100);
    for (let round = 0; round < 200 && !store.health().diskFull; round++) {
      appendEvents(store.outbox, Array(50).fill('tag.arrived'));
      store.outbox.commit();
    }
    expect(store.health().diskFull).toBe(true);
    for (let sale = 0; sale < 40; sale++) {
      store.transaction(() => {
        store.db.prepare('INSERT INTO shelf VALUES (?, ?)').run(`a${sale}`, sale);
        appendEvents(store.outbox, ['purchase.completed', ...Array(30).fill('tag.departed')]);
      });
    }
    expect(store.db.prepare('SELECT count(*) AS n FROM shelf').get()).toEqual({ n: 40 });
    const purchases = store.outbox
      .pending(0, 100_000)
      .filter((record) => record.type === 'purchase.completed');
    expect(purchases).toHaveLength(40);
  });

  it('a transaction that meets SQLITE_FULL itself rolls back whole, forgets its events, and rethrows', () => {
    const { store } = open('file', silentLogger(), { reserveBytes: 16 * KiB });
    store.migrate('shelf', ['CREATE TABLE shelf (slot TEXT PRIMARY KEY, note TEXT NOT NULL)']);
    limitPages(store, pageCount(store) + 2);
    const before = store.outbox.nextSeq();
    expect(() =>
      store.transaction(() => {
        appendEvents(store.outbox, ['purchase.completed']);
        store.db.prepare('INSERT INTO shelf VALUES (?, ?)').run('a1', 'x'.repeat(64 * KiB));
      }),
    ).toThrow(expect.objectContaining({ code: 'SQLITE_FULL' }));
    expect(store.outbox.nextSeq()).toBe(before);
    expect(store.db.prepare('SELECT count(*) AS n FROM shelf').get()).toEqual({ n: 0 });
    expect(store.health()).toMatchObject({ diskFull: true, lastError: expect.stringMatching(/full/) });
  });

  it('says so when SQLite ended the whole transaction under a nested call whose failure fn caught', () => {
    const { store } = open('file', silentLogger(), { reserveBytes: 16 * KiB });
    store.migrate('shelf', ['CREATE TABLE shelf (slot TEXT PRIMARY KEY, note TEXT NOT NULL)']);
    limitPages(store, pageCount(store) + 2);
    expect(() =>
      store.transaction(() => {
        store.db.prepare('INSERT INTO shelf VALUES (?, ?)').run('a1', 'small');
        appendEvents(store.outbox, ['purchase.completed']);
        expect(() =>
          store.transaction(() =>
            store.db.prepare('INSERT INTO shelf VALUES (?, ?)').run('a2', 'x'.repeat(64 * KiB)),
          ),
        ).toThrow(expect.objectContaining({ code: 'SQLITE_FULL' }));
      }),
    ).toThrow(/SQLite rolled this transaction back inside it/);
    expect(store.db.prepare('SELECT count(*) AS n FROM shelf').get()).toEqual({ n: 0 });
    expect(store.outbox.stats()).toMatchObject({ buffered: 0, lastSeq: 0 });
  });
});

const tmpfs = tmpfsCapability();
const required = process.env.CI === 'true';

describe.skipIf(!tmpfs.ok && !required)('full disk, for real: a 1 MiB tmpfs', () => {
  it('stops growing near full, survives a disk filled by someone else, spends the reserve on a purchase, and recovers', () => {
    if (!tmpfs.ok) throw new Error(`CI=true and this test cannot run: ${tmpfs.reason}`);
    const fs = mountTmpfs(1024 * KiB);
    const { logger, lines } = captureLogger();
    const options = { clock: new VirtualClock(T0), logger };
    const outbox = { reserveBytes: 64 * KiB, maxBufferedEvents: 500 };
    let store = Store.open({ dataDir: fs.path, ...options, outbox });
    const reserve = `${store.path}-reserve`;
    const size = (path: string) => (existsSync(path) ? statSync(path).size : 0);
    try {
      expect(size(reserve)).toBe(64 * KiB);
      let rounds = 0;
      for (; rounds < 400 && !store.health().diskFull; rounds++) {
        appendEvents(store.outbox, Array(50).fill('tag.arrived'));
        store.outbox.commit();
      }
      // Entered on low free space, before any write failed: the database stops growing instead.
      expect(store.health()).toMatchObject({ diskFull: true, lastError: null, reserveAvailable: true });
      const dbSize = size(store.path);
      const depth = store.outbox.stats().depth;
      let dropped = 0;
      for (let round = 0; round < 100; round++) {
        appendEvents(store.outbox, Array(50).fill('tag.arrived'));
        const result = store.outbox.commit();
        expect(result.committed).toBe(50);
        dropped += result.dropped;
        // Written into the pages of the events it dropped: the file does not grow.
        expect(size(store.path)).toBe(dbSize);
        // Checkpointed every 64 KiB of pages and trimmed to 256 KiB: the WAL never eats the reserve's worth.
        expect(size(`${store.path}-wal`)).toBeLessThanOrEqual(256 * KiB + 64 * KiB);
      }

      // About as many dropped as written, not the whole outbox: it keeps what fits.
      expect(dropped).toBeGreaterThan(4500);
      expect(dropped).toBeLessThan(5500);
      expect(store.outbox.stats().depth).toBeGreaterThan(depth * 0.8);

      // Now someone else takes every free byte, right after a checkpoint emptied the WAL.
      store.db.pragma('wal_checkpoint(TRUNCATE)');
      const unfill = fillUp(fs.path);
      expect(store.health().freeBytes).toBe(0);
      for (let round = 0; round < 5; round++) {
        appendEvents(store.outbox, Array(300).fill('tag.arrived'));
        expect(failure(() => store.outbox.commit()).diskFull).toBe(true);
        expect(store.outbox.stats().buffered).toBeLessThanOrEqual(500);
      }
      const [purchase] = appendEvents(store.outbox, ['purchase.completed']);
      expect(store.outbox.commit().committed).toBe(1);
      expect(store.outbox.pending(0, 100_000).at(-1)).toMatchObject({
        id: purchase?.id,
        type: 'purchase.completed',
      });
      expect(store.health()).toMatchObject({ diskFull: true, reserveAvailable: false, buffered: 0 });
      expect(size(reserve)).toBe(0);
      expect(messages(lines, /^store: disk full; dropping/)).toHaveLength(1);
      expect(messages(lines, /released the space reserved/)).toHaveLength(1);

      // The operator frees space (here: a bigger filesystem).
      unfill();
      fs.resize(4096 * KiB);
      appendEvents(store.outbox, Array(10).fill('tag.arrived'));
      expect(store.outbox.commit()).toEqual({ committed: 10, dropped: 0 });
      expect(store.health()).toMatchObject({ diskFull: false, reserveAvailable: true });
      expect(size(reserve)).toBe(64 * KiB);
      store.close();

      store = Store.open({ dataDir: fs.path, ...options, outbox });
      expect(store.db.pragma('quick_check', { simple: true })).toBe('ok');
      expect(store.outbox.pending(0, 100_000).filter((record) => record.id === purchase?.id)).toHaveLength(1);
    } finally {
      store.close();
      fs.dispose();
    }
  });
});

describe.skipIf(!tmpfs.ok && !required)('free space as health() reports it (a 16 MiB tmpfs)', () => {
  it('is at most 10 s old while the disk is fine, and fresh once it is full', () => {
    if (!tmpfs.ok) throw new Error(`CI=true and this test cannot run: ${tmpfs.reason}`);
    const fs = mountTmpfs(16 * 1024 * KiB);
    const clock = new VirtualClock(T0);
    const store = Store.open({ dataDir: fs.path, clock, logger: silentLogger() });
    const other = join(fs.path, 'someone-else');
    try {
      const before = store.health().freeBytes ?? 0;
      // Someone else writes 1 MiB: the figure of a second ago stands for another 9 s...
      writeFileSync(other, Buffer.alloc(1024 * KiB, 0x5a));
      clock.advanceTo(T0 + 1000);
      expect(store.health().freeBytes).toBe(before);
      // ...and then it is looked at again.
      clock.advanceTo(T0 + 10_000);
      expect(store.health().freeBytes).toBeLessThanOrEqual(before - 1024 * KiB);
      // A full disk is reported as it is, at once.
      const unfill = fillUp(fs.path);
      store.db.pragma('max_page_count = 1');
      appendEvents(store.outbox, ['tag.arrived']);
      expect(() => store.outbox.commit()).toThrow();
      expect(store.health()).toMatchObject({ diskFull: true, freeBytes: 0 });
      unfill();
    } finally {
      store.close();
      fs.dispose();
    }
  });
});
