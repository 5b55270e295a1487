import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { describeOutboxContract } from '../../test/kits/store/outbox-contract.js';
import { appendEvents, captureLogger, tempDir } from '../../test/kits/store/store.js';
import { silentLogger } from '../observability/logger.js';
import { VirtualClock } from '../shared/clock.js';
import { OutboxError } from './errors.js';
import { SCHEMA_VERSION } from './schema.js';
import { SqliteOutbox } from './sqlite-outbox.js';
import { Store, type StoreOptions } from './store.js';

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);
const SHELF = ['CREATE TABLE shelf (slot TEXT PRIMARY KEY, count INTEGER NOT NULL)'];

describeOutboxContract('SqliteOutbox on a Store (file)', (clock) => {
  const dir = tempDir('store-');
  const opened: Store[] = [];
  return {
    open: (bounds) => {
      const store = Store.open({ dataDir: dir.path, clock, logger: silentLogger(), outbox: bounds });
      opened.push(store);
      return store.outbox;
    },
    dispose: () => {
      for (const store of opened) if (store.db.open) store.db.close();
      dir.dispose();
    },
  };
});

describeOutboxContract('SqliteOutbox on a Store (:memory:)', (clock) => {
  let store: Store | undefined;
  return {
    // A restart keeps the connection (the only copy of an in-memory database) and builds a new outbox on it.
    open: (bounds) => {
      if (store === undefined) {
        store = Store.open({ dataDir: ':memory:', clock, logger: silentLogger(), outbox: bounds });
        return store.outbox;
      }
      return SqliteOutbox.attach(store.db, { path: store.path, clock, logger: silentLogger(), ...bounds });
    },
    dispose: () => store?.db.close(),
  };
});

describe('Store', () => {
  const disposers: (() => void)[] = [];
  afterEach(() => {
    for (const dispose of disposers.splice(0).reverse()) dispose();
  });
  function scratch(): string {
    const dir = tempDir('store-');
    disposers.push(dir.dispose);
    return dir.path;
  }
  function open(dataDir: string, options: Partial<StoreOptions> = {}): Store {
    const store = Store.open({ dataDir, clock: new VirtualClock(T0), logger: silentLogger(), ...options });
    disposers.push(() => store.close());
    return store;
  }
  function inspect<T>(path: string, look: (db: Database.Database) => T): T {
    const db = new Database(path);
    try {
      return look(db);
    } finally {
      db.close();
    }
  }
  const slots = (store: Store) => store.db.prepare('SELECT slot, count FROM shelf ORDER BY slot').all();
  const seqs = (store: Store) => store.outbox.pending(0, 1000).map((record) => record.seq);

  describe('layout', () => {
    it('creates <dataDir>/gateway.sqlite (and the directory) in WAL mode with versioned components', () => {
      const dataDir = join(scratch(), 'var', 'lib', 'rfid');
      const store = open(dataDir);
      expect(store.path).toBe(join(dataDir, 'gateway.sqlite'));
      expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
      store.close();
      inspect(store.path, (db) => {
        expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
        expect(db.prepare('SELECT component, version FROM schema_versions').all()).toEqual([
          { component: 'outbox', version: 1 },
        ]);
      });
      expect(existsSync(join(dataDir, 'outbox.sqlite'))).toBe(false);
    });

    it("refuses someone else's database and one written by a newer gateway, leaving them untouched", () => {
      const foreign = scratch();
      inspect(join(foreign, 'gateway.sqlite'), (db) => db.exec('CREATE TABLE readings (value REAL)'));
      const before = readFileSync(join(foreign, 'gateway.sqlite'));
      expect(() => open(foreign)).toThrow(
        /gateway\.sqlite is an SQLite database but not an rfid-gateway outbox/,
      );
      expect(readFileSync(join(foreign, 'gateway.sqlite'))).toEqual(before);

      const newer = scratch();
      open(newer).close();
      inspect(join(newer, 'gateway.sqlite'), (db) => db.pragma(`user_version = ${SCHEMA_VERSION + 1}`));
      expect(() => open(newer)).toThrow(/newer than this gateway understands.*run the newer gateway/);
    });

    it('names the data directory when it cannot be created', () => {
      const file = join(scratch(), 'plain-file');
      inspect(file, (db) => db.exec('SELECT 1'));
      const error = (() => {
        try {
          open(join(file, 'data'));
        } catch (caught) {
          return caught as OutboxError;
        }
      })();
      expect(error).toBeInstanceOf(OutboxError);
      expect(error?.message).toMatch(
        /cannot create the data directory .*plain-file\/data.*configure another/,
      );
    });

    it('refuses settings that make no sense before creating anything', () => {
      const dataDir = join(scratch(), 'data');
      expect(() => open(dataDir, { outbox: { reserveBytes: -1 } })).toThrow(
        /reserveBytes must be a whole number/,
      );
      expect(() => open(dataDir, { outbox: { maxBufferedEvents: 0 } })).toThrow(
        /maxBufferedEvents must be a positive integer/,
      );
      expect(() => open(dataDir, { outbox: { maxRows: 0 } })).toThrow(
        /gateway\.sqlite: maxRows must be a positive/,
      );
      expect(existsSync(dataDir)).toBe(false);
    });

    it("':memory:' keeps everything in memory with the same behaviour", () => {
      const store = open(':memory:');
      store.migrate('shelf', SHELF);
      store.transaction(() => {
        store.db.prepare("INSERT INTO shelf VALUES ('a1', 3)").run();
        appendEvents(store.outbox, ['tag.arrived', 'purchase.completed']);
      });
      expect(seqs(store)).toEqual([1, 2]);
      expect(slots(store)).toEqual([{ slot: 'a1', count: 3 }]);
      expect(store.health()).toMatchObject({
        path: ':memory:',
        diskFull: false,
        reserveBytes: 0,
        freeBytes: null,
      });
    });
  });

  describe('migrate', () => {
    it('applies each component’s missing steps once, in order, and remembers per component', () => {
      const dataDir = scratch();
      const first = open(dataDir);
      first.migrate('shelf', SHELF);
      first.migrate('shelf', SHELF);
      first.migrate('sessions', ['CREATE TABLE sessions (id TEXT PRIMARY KEY)']);
      first.close();
      const second = open(dataDir);
      const grown = [...SHELF, 'ALTER TABLE shelf ADD COLUMN zone TEXT'];
      second.migrate('shelf', grown);
      second.migrate('shelf', grown);
      expect(
        second.db.prepare('SELECT component, version FROM schema_versions ORDER BY component').all(),
      ).toEqual([
        { component: 'outbox', version: 1 },
        { component: 'sessions', version: 1 },
        { component: 'shelf', version: 2 },
      ]);
      expect(second.db.prepare("SELECT name FROM pragma_table_info('shelf')").all()).toEqual([
        { name: 'slot' },
        { name: 'count' },
        { name: 'zone' },
      ]);
    });

    it('refuses a component version newer than its steps, naming the file, the component and what to do', () => {
      const store = open(scratch());
      store.migrate('shelf', [...SHELF, 'ALTER TABLE shelf ADD COLUMN zone TEXT']);
      expect(() => store.migrate('shelf', SHELF)).toThrow(OutboxError);
      expect(() => store.migrate('shelf', SHELF)).toThrow(
        new RegExp(
          `${store.path}: component "shelf" has schema version 2, newer than this gateway understands \\(1\\)`,
        ),
      );
    });

    it('applies nothing of a failing step, and refuses to migrate the outbox or inside a transaction', () => {
      const store = open(scratch());
      const broken = [...SHELF, 'ALTER TABLE shelf ADD COLUMN zone TEXT; CREATE TABLE shelf (oops)'];
      expect(() => store.migrate('shelf', broken)).toThrow(/migration step 2 of "shelf" failed/);
      expect(store.db.prepare("SELECT version FROM schema_versions WHERE component = 'shelf'").get()).toEqual(
        {
          version: 1,
        },
      );
      expect(store.db.prepare("SELECT count(*) AS n FROM pragma_table_info('shelf')").get()).toEqual({
        n: 2,
      });
      expect(() => store.migrate('outbox', [])).toThrow(/belongs to the store itself/);
      expect(() => store.transaction(() => store.migrate('later', SHELF))).toThrow(/inside a transaction/);
    });
  });

  describe('transaction', () => {
    it('commits a state change and the events it causes together', () => {
      const store = open(scratch());
      store.migrate('shelf', SHELF);
      const other = new Database(store.path, { readonly: true });
      disposers.push(() => other.close());
      const result = store.transaction(() => {
        store.db.prepare("INSERT INTO shelf VALUES ('a1', 3)").run();
        appendEvents(store.outbox, ['tag.arrived', 'sensor.changed']);
        // Nothing is visible to another connection before the commit.
        expect(other.prepare('SELECT count(*) AS n FROM shelf').get()).toEqual({ n: 0 });
        expect(other.prepare('SELECT count(*) AS n FROM events').get()).toEqual({ n: 0 });
        return 'done';
      });
      expect(result).toBe('done');
      expect(seqs(store)).toEqual([1, 2]);
      expect(store.outbox.stats()).toMatchObject({ buffered: 0, depth: 2, lastSeq: 2 });
      expect(other.prepare('SELECT slot, count FROM shelf').all()).toEqual([{ slot: 'a1', count: 3 }]);
      expect(other.prepare('SELECT seq FROM events ORDER BY seq').all()).toEqual([{ seq: 1 }, { seq: 2 }]);
    });

    it('also commits the events buffered before it; outbox.commit() inside is left to it', () => {
      const store = open(scratch());
      store.migrate('shelf', SHELF);
      appendEvents(store.outbox, ['tag.arrived']);
      store.transaction(() => {
        appendEvents(store.outbox, ['tag.departed']);
        expect(store.outbox.commit()).toEqual({ committed: 0, dropped: 0 });
        expect(store.outbox.pending(0, 10)).toEqual([]);
      });
      expect(seqs(store)).toEqual([1, 2]);
    });

    it('rolls back the state and forgets the events of a failed fn; numbering continues without a gap', () => {
      const store = open(scratch());
      store.migrate('shelf', SHELF);
      const before = appendEvents(store.outbox, ['tag.arrived']);
      const failure = new Error('price lookup failed');
      expect(() =>
        store.transaction(() => {
          store.db.prepare("INSERT INTO shelf VALUES ('a1', 3)").run();
          appendEvents(store.outbox, ['purchase.completed']);
          throw failure;
        }),
      ).toThrow(failure);
      expect(slots(store)).toEqual([]);
      expect(store.outbox.stats()).toMatchObject({ buffered: 1, depth: 0, lastSeq: 0 });
      expect(store.outbox.nextSeq()).toBe(2);
      const after = appendEvents(store.outbox, ['sensor.changed']);
      store.outbox.commit();
      const records = store.outbox.pending(0, 10);
      expect(records.map((record) => record.seq)).toEqual([1, 2]);
      expect(records.map((record) => record.id)).toEqual([before[0]?.id, after[0]?.id]);
    });

    it('nests as a savepoint: a failed inner call is undone, the outer one commits the rest', () => {
      const store = open(scratch());
      store.migrate('shelf', SHELF);
      store.transaction(() => {
        store.db.prepare("INSERT INTO shelf VALUES ('a1', 1)").run();
        appendEvents(store.outbox, ['tag.arrived']);
        expect(() =>
          store.transaction(() => {
            store.db.prepare("INSERT INTO shelf VALUES ('a2', 2)").run();
            appendEvents(store.outbox, ['tag.arrived']);
            throw new Error('inner');
          }),
        ).toThrow('inner');
        store.transaction(() => {
          store.db.prepare("INSERT INTO shelf VALUES ('a3', 3)").run();
          appendEvents(store.outbox, ['sensor.changed']);
        });
        expect(store.outbox.pending(0, 10)).toEqual([]);
      });
      expect(slots(store)).toEqual([
        { slot: 'a1', count: 1 },
        { slot: 'a3', count: 3 },
      ]);
      expect(store.outbox.pending(0, 10).map((record) => [record.seq, record.type])).toEqual([
        [1, 'tag.arrived'],
        [2, 'sensor.changed'],
      ]);
    });

    it('keeps acknowledgement counters right when a transaction that acknowledged rolls back', () => {
      const store = open(scratch());
      appendEvents(store.outbox, ['tag.arrived', 'tag.arrived', 'tag.arrived']);
      store.outbox.commit();
      expect(() =>
        store.transaction(() => {
          store.outbox.markSent([1, 2]);
          store.outbox.deadLetter(3, 'refused');
          throw new Error('undo');
        }),
      ).toThrow('undo');
      expect(store.outbox.stats()).toMatchObject({ depth: 3, deadLettered: 0 });
      expect(seqs(store)).toEqual([1, 2, 3]);
    });

    it('makes a commit with a purchase or an alarm durable before returning', () => {
      const { logger, lines } = captureLogger();
      const store = open(scratch(), { logger });
      store.migrate('shelf', SHELF);
      const pragma = vi.spyOn(store.db, 'pragma');
      const synchronousIn: unknown[] = [];
      const walSize = () => statSync(`${store.path}-wal`).size;
      const barrier = store.outbox.syncBarrier.bind(store.outbox);
      const barrierFrames: number[] = [];
      vi.spyOn(store.outbox, 'syncBarrier').mockImplementation(() => {
        const before = walSize();
        barrier();
        barrierFrames.push((walSize() - before) / (4096 + 24));
      });

      // Appended during fn: too late to change synchronous (SQLite refuses inside a transaction), so
      // an fsync of the WAL follows the commit.
      store.transaction(() => {
        store.db.prepare("INSERT INTO shelf VALUES ('a1', 0)").run();
        appendEvents(store.outbox, ['purchase.completed']);
        synchronousIn.push(store.db.pragma('synchronous', { simple: true }));
      });
      const raised = pragma.mock.calls
        .map(([source]) => source)
        .filter((source) => source.startsWith('synchronous ='));
      expect(raised).toEqual(['synchronous = FULL', 'synchronous = NORMAL']);
      // The barrier is a real write, after the commit: one more WAL frame, committed with synchronous=FULL.
      expect(barrierFrames).toEqual([1]);

      // Buffered before fn: the commit itself runs with synchronous=FULL.
      appendEvents(store.outbox, ['security.alarm']);
      store.transaction(() => {
        synchronousIn.push(store.db.pragma('synchronous', { simple: true }));
      });
      // And a transaction without critical events keeps the default.
      store.transaction(() => {
        appendEvents(store.outbox, ['tag.arrived']);
        synchronousIn.push(store.db.pragma('synchronous', { simple: true }));
      });
      expect(synchronousIn).toEqual([1, 2, 1]);
      expect(store.db.pragma('synchronous', { simple: true })).toBe(1);
      expect(lines.filter((line) => line.synchronous === 'FULL').map((line) => line.lastSeq)).toEqual([1, 2]);
    });

    it('rethrows a failed commit as an OutboxError and forgets the events of the failed fn', () => {
      const store = open(scratch());
      store.migrate('shelf', SHELF);
      const intruder = new Database(store.path);
      disposers.push(() => intruder.close());
      // Another writer moved last_seq: the outbox refuses to number events (one gateway per directory).
      intruder.prepare("UPDATE meta SET value = 7 WHERE key = 'last_seq'").run();
      expect(() =>
        store.transaction(() => {
          store.db.prepare("INSERT INTO shelf VALUES ('a1', 3)").run();
          appendEvents(store.outbox, ['tag.arrived']);
        }),
      ).toThrow(/written by another process/);
      expect(slots(store)).toEqual([]);
      expect(store.outbox.stats().buffered).toBe(0);
    });
  });

  it('reports its health and refuses use after close', () => {
    const dataDir = scratch();
    const store = open(dataDir, { outbox: { reserveBytes: 4096, maxBufferedEvents: 50 } });
    expect(store.health()).toEqual({
      path: join(dataDir, 'gateway.sqlite'),
      diskFull: false,
      diskFullSince: null,
      lastError: null,
      lastErrorAt: null,
      reserveBytes: 4096,
      reserveAvailable: true,
      freeBytes: expect.any(Number),
      buffered: 0,
      bufferLimit: 50,
      droppedFromMemory: 0,
    });
    expect(statSync(`${store.path}-reserve`).size).toBe(4096);
    store.close();
    expect(() => store.transaction(() => 1)).toThrow(/store .*gateway\.sqlite is closed/);
    expect(() => store.outbox.nextSeq()).toThrow(OutboxError);
  });
});
