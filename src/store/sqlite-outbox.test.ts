import { once } from 'node:events';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { describeOutboxContract } from '../../test/kits/store/outbox-contract.js';
import {
  appendEvents,
  captureLogger,
  openUnprivileged,
  spawnCrashWriter,
  tempDir,
} from '../../test/kits/store/store.js';
import { silentLogger } from '../observability/logger.js';
import { VirtualClock } from '../shared/clock.js';
import type { GatewayEvent } from '../shared/events.js';
import { OutboxError } from './errors.js';
import { SCHEMA_VERSION } from './schema.js';
import { type OutboxOptions, SqliteOutbox } from './sqlite-outbox.js';
import { PENDING_SQL } from './statements.js';

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);

describeOutboxContract('SqliteOutbox', (clock) => {
  const dir = tempDir();
  const path = join(dir.path, 'outbox.db');
  return {
    open: (bounds) => SqliteOutbox.open({ path, clock, logger: silentLogger(), ...bounds }),
    dispose: dir.dispose,
  };
});

describe('SqliteOutbox', () => {
  const disposers: (() => void)[] = [];
  afterEach(() => {
    for (const dispose of disposers.splice(0).reverse()) dispose();
  });
  function scratch(): string {
    const dir = tempDir();
    disposers.push(dir.dispose);
    return dir.path;
  }
  function openAt(path: string, options: Partial<OutboxOptions> = {}): SqliteOutbox {
    return SqliteOutbox.open({ path, clock: new VirtualClock(T0), logger: silentLogger(), ...options });
  }
  /** A second, plain connection to look at the file the way an operator's sqlite3 shell would. */
  function inspect<T>(path: string, look: (db: Database.Database) => T): T {
    const db = new Database(path);
    try {
      return look(db);
    } finally {
      db.close();
    }
  }

  it('creates a versioned schema in WAL mode', () => {
    const path = join(scratch(), 'outbox.db');
    openAt(path).close();
    inspect(path, (db) => {
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    });
  });

  it('reads pending events with a range scan on seq', () => {
    const path = join(scratch(), 'outbox.db');
    openAt(path).close();
    const plan = inspect(path, (db) => db.prepare(`EXPLAIN QUERY PLAN ${PENDING_SQL}`).all(0, 10));
    expect(plan).toEqual([
      expect.objectContaining({ detail: 'SEARCH events USING INTEGER PRIMARY KEY (rowid>?)' }),
    ]);
  });

  it('commits batches holding purchases or alarms with synchronous=FULL, others with the default', () => {
    const path = join(scratch(), 'outbox.db');
    const { logger, lines } = captureLogger();
    const outbox = openAt(path, { logger });
    appendEvents(outbox, ['tag.arrived', 'sensor.changed']);
    outbox.commit();
    expect(lines.filter((line) => line.synchronous === 'FULL')).toEqual([]);
    appendEvents(outbox, ['tag.arrived', 'purchase.completed']);
    outbox.commit();
    expect(lines.filter((line) => line.synchronous === 'FULL')).toEqual([
      expect.objectContaining({ lastSeq: 4, events: 2 }),
    ]);
    outbox.close();
  });

  it('logs once, at error level, while only critical events keep it over its bound', () => {
    const path = join(scratch(), 'outbox.db');
    const { logger, lines } = captureLogger();
    const outbox = openAt(path, { logger, maxRows: 1 });
    for (let round = 0; round < 3; round++) {
      appendEvents(outbox, ['purchase.completed', 'tag.arrived']);
      outbox.commit();
    }
    const errors = lines.filter((line) => line.level === 50);
    expect(errors).toEqual([expect.objectContaining({ maxRows: 1, depth: 2 })]);
    expect(lines.filter((line) => line.level === 40)).toHaveLength(1);
    expect(outbox.stats()).toMatchObject({ depth: 3, dropped: { 'tag.arrived': 3 } });
    outbox.close();
  });

  it('refuses to number events when another process committed to the same file', () => {
    const path = join(scratch(), 'outbox.db');
    const first = openAt(path);
    const second = openAt(path);
    appendEvents(first, ['tag.arrived']);
    first.commit();
    appendEvents(second, ['tag.arrived']);
    expect(() => second.commit()).toThrow(/written by another process/);
    expect(second.stats().buffered).toBe(1);
    first.close();
  });

  it('close checkpoints the WAL into the database file; using it afterwards is an OutboxError', () => {
    const path = join(scratch(), 'outbox.db');
    const outbox = openAt(path);
    appendEvents(outbox, Array(200).fill('tag.arrived'));
    outbox.commit();
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(0);
    outbox.close();
    expect(existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0).toBe(0);
    expect(() => outbox.nextSeq()).toThrow(OutboxError);
    expect(inspect(path, (db) => db.prepare('SELECT count(*) AS n FROM events').get())).toEqual({ n: 200 });
  });

  it('after SIGKILL mid-stream, keeps a gap-free prefix of committed events and numbers on after it', async () => {
    const path = join(scratch(), 'outbox.db');
    const child = spawnCrashWriter(path);
    const exited = once(child, 'exit');
    let reported = 0;
    let text = '';
    for await (const chunk of child.stdout) {
      text += String(chunk);
      const lines = text.split('\n');
      text = lines.pop() ?? '';
      for (const line of lines) reported = Math.max(reported, Number(line));
      // Killed before leaving the loop: closing our end of the pipe first could end the child by EPIPE.
      if (reported >= 3000 && child.kill('SIGKILL')) break;
    }
    const [code, signal] = await exited;
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGKILL' });

    const outbox = openAt(path);
    const records = outbox.pending(0, 10_000_000);
    const last = records.length;
    expect(last).toBeGreaterThanOrEqual(reported);
    expect(records.every((record, index) => record.seq === index + 1)).toBe(true);
    expect(records.every((record) => (JSON.parse(record.payload) as GatewayEvent).seq === record.seq)).toBe(
      true,
    );
    expect(outbox.stats()).toMatchObject({ lastSeq: last, depth: last, buffered: 0 });
    expect(outbox.nextSeq()).toBe(last + 1);
    outbox.close();
  });

  describe('start-up errors name the file, say what to do, and leave the file alone', () => {
    function openError(path: string): OutboxError {
      try {
        openAt(path).close();
      } catch (error) {
        expect(error).toBeInstanceOf(OutboxError);
        expect((error as OutboxError).path).toBe(path);
        expect((error as OutboxError).message).toContain(path);
        return error as OutboxError;
      }
      throw new Error(`expected ${path} to be refused`);
    }

    it('a missing directory', () => {
      const missing = join(scratch(), 'no', 'such');
      expect(openError(join(missing, 'outbox.db')).message).toContain(`mkdir -p ${missing}`);
      expect(existsSync(missing)).toBe(false);
    });

    it('a directory path that runs through a file', () => {
      const file = join(scratch(), 'plain-file');
      writeFileSync(file, 'x');
      expect(openError(join(file, 'outbox.db')).message).toMatch(/is not a directory/);
    });

    it('a database path that is a directory', () => {
      const path = join(scratch(), 'outbox.db');
      mkdirSync(path);
      expect(openError(path).message).toMatch(/is a directory, not a database file/);
    });

    it('a file that is not a database', () => {
      const path = join(scratch(), 'outbox.db');
      const garbage = Buffer.from('this is a capture, not a database\n'.repeat(200));
      writeFileSync(path, garbage);
      expect(openError(path).message).toMatch(/is not an SQLite database.*left untouched/);
      expect(readFileSync(path)).toEqual(garbage);
    });

    it('a corrupt database', () => {
      const path = join(scratch(), 'outbox.db');
      const outbox = openAt(path);
      appendEvents(outbox, Array(300).fill('tag.arrived'));
      outbox.commit();
      outbox.close();
      const bytes = readFileSync(path);
      const pageSize = bytes.readUInt16BE(16);
      // Scribble over the middle of the events table's pages, as a failing SD card would.
      bytes.fill(0xa5, pageSize * 3 + 100, pageSize * 6);
      writeFileSync(path, bytes);
      expect(openError(path).message).toMatch(/is corrupt.*left untouched/);
      expect(readFileSync(path)).toEqual(bytes);
    });

    it('a database written by a newer gateway', () => {
      const path = join(scratch(), 'outbox.db');
      openAt(path).close();
      inspect(path, (db) => db.pragma(`user_version = ${SCHEMA_VERSION + 1}`));
      expect(openError(path).message).toMatch(/newer than this gateway understands/);
    });

    it("someone else's SQLite database", () => {
      const path = join(scratch(), 'outbox.db');
      inspect(path, (db) => db.exec('CREATE TABLE readings (value REAL)'));
      expect(openError(path).message).toMatch(/not an rfid-gateway outbox/);
      expect(
        inspect(path, (db) => db.pragma('table_list') as { name: string }[]).map((t) => t.name),
      ).toContain('readings');
    });

    it('bounds that make no sense', () => {
      const path = join(scratch(), 'outbox.db');
      expect(() => openAt(path, { maxRows: 0 })).toThrow(/maxRows must be a positive integer/);
      expect(() => openAt(path, { maxBytes: -1 })).toThrow(/maxBytes must be positive/);
    });

    it('a read-only database file', () => {
      const dir = scratch();
      chmodSync(dir, 0o777);
      const path = join(dir, 'outbox.db');
      openAt(path).close();
      chmodSync(path, 0o444);
      const before = readFileSync(path);
      expect(openUnprivileged(path)).toMatchObject({
        opened: false,
        name: 'OutboxError',
        message: expect.stringMatching(/the file .* is not writable by this user/),
      });
      expect(readFileSync(path)).toEqual(before);
    });

    it('-wal and -shm files left behind by another user (the gateway once run as root)', () => {
      const dir = scratch();
      chmodSync(dir, 0o777);
      const path = join(dir, 'outbox.db');
      const crashed = openAt(path);
      appendEvents(crashed, ['purchase.completed']);
      crashed.commit();
      chmodSync(path, 0o666);
      // Left by another user: this one may not write them.
      chmodSync(`${path}-wal`, 0o444);
      chmodSync(`${path}-shm`, 0o444);
      expect(openUnprivileged(path)).toMatchObject({
        opened: false,
        name: 'OutboxError',
        message: expect.stringMatching(/cannot be written \(read-only file, -wal or -shm file/),
      });
      crashed.close();
    });

    it('a read-only directory', () => {
      const dir = scratch();
      const path = join(dir, 'outbox.db');
      openAt(path).close();
      chmodSync(path, 0o666);
      chmodSync(dir, 0o555);
      expect(openUnprivileged(path)).toMatchObject({
        opened: false,
        name: 'OutboxError',
        message: expect.stringMatching(/the directory .* is not writable by this user/),
      });
    });
  });
});
