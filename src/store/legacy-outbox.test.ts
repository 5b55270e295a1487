import { once } from 'node:events';
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { appendEvents, captureLogger, spawnCrashWriter, tempDir } from '../../test/kits/store/store.js';
import { silentLogger } from '../observability/logger.js';
import { VirtualClock } from '../shared/clock.js';
import type { GatewayEvent } from '../shared/events.js';
import { OutboxError } from './errors.js';
import { STORE_LAYOUT } from './schema.js';
import { Store } from './store.js';
import type { OutboxRecord, OutboxStats } from './types.js';

const T0 = Date.UTC(2026, 11, 1, 8, 0, 0);
const FIXTURES = fileURLToPath(new URL('../../test/store/fixtures/', import.meta.url));

interface Expected {
  stats: OutboxStats;
  pending: OutboxRecord[];
}

describe('Store adopts the outbox.sqlite of earlier gateways', () => {
  const disposers: (() => void)[] = [];
  afterEach(() => {
    for (const dispose of disposers.splice(0).reverse()) dispose();
  });
  function scratch(): string {
    const dir = tempDir('legacy-');
    disposers.push(dir.dispose);
    return dir.path;
  }
  /** A data directory holding a copy of a fixture written by the gateway before the store. */
  function fieldGateway(fixture: string): { dataDir: string; expected: Expected } {
    const dataDir = scratch();
    for (const name of readdirSync(join(FIXTURES, fixture))) {
      if (name.startsWith('outbox.sqlite')) cpSync(join(FIXTURES, fixture, name), join(dataDir, name));
    }
    const expected = JSON.parse(readFileSync(join(FIXTURES, fixture, 'expected.json'), 'utf8')) as Expected;
    return { dataDir, expected };
  }
  function open(dataDir: string, logger = silentLogger()): Store {
    const store = Store.open({ dataDir, clock: new VirtualClock(T0), logger });
    disposers.push(() => store.close());
    return store;
  }
  const files = (dataDir: string) => readdirSync(dataDir).sort();

  for (const fixture of ['legacy-v1-closed', 'legacy-v1-killed']) {
    it(`keeps every unsent event of ${fixture}: same records, lastSeq, counters, and seq numbering goes on`, () => {
      const { dataDir, expected } = fieldGateway(fixture);
      if (fixture === 'legacy-v1-killed') {
        // The point of this fixture: the database file alone holds nothing, the events are in the WAL.
        expect(statSync(join(dataDir, 'outbox.sqlite')).size).toBe(4096);
        expect(statSync(join(dataDir, 'outbox.sqlite-wal')).size).toBeGreaterThan(50_000);
      }
      const { logger, lines } = captureLogger();
      const store = open(dataDir, logger);
      expect(files(dataDir)).toEqual([
        'gateway.sqlite',
        'gateway.sqlite-reserve',
        'gateway.sqlite-shm',
        'gateway.sqlite-wal',
      ]);
      expect(lines).toContainEqual(
        expect.objectContaining({ msg: expect.stringMatching(/outbox file became the gateway store/) }),
      );
      expect(store.outbox.pending(0, 1000)).toEqual(expected.pending);
      const { diskFull, droppedFromMemory, ...stats } = store.outbox.stats();
      expect(stats).toEqual(expected.stats);
      expect(store.db.prepare('SELECT component, version FROM schema_versions').all()).toEqual([
        { component: 'outbox', version: 1 },
      ]);
      expect(store.db.pragma('user_version', { simple: true })).toBe(STORE_LAYOUT);

      expect(store.outbox.nextSeq()).toBe(expected.stats.lastSeq + 1);
      const [purchase] = appendEvents(store.outbox, ['purchase.completed']);
      store.outbox.commit();
      expect(store.outbox.pending(expected.stats.lastSeq, 10).map((record) => record.id)).toEqual([
        purchase?.id,
      ]);
      store.close();

      // A second start finds nothing left to migrate and changes nothing but what it writes itself.
      const again = captureLogger();
      const reopened = open(dataDir, again.logger);
      expect(again.lines.filter((line) => line.level !== 20)).toEqual([]);
      expect(reopened.outbox.pending(0, 1000)).toEqual([
        ...expected.pending,
        expect.objectContaining({ seq: expected.stats.lastSeq + 1, id: purchase?.id }),
      ]);
      expect(reopened.outbox.stats()).toMatchObject({
        lastSeq: expected.stats.lastSeq + 1,
        dropped: expected.stats.dropped,
      });
      expect(reopened.db.prepare('SELECT component, version FROM schema_versions').all()).toEqual([
        { component: 'outbox', version: 1 },
      ]);
      expect(existsSync(join(dataDir, 'outbox.sqlite'))).toBe(false);
    });
  }

  it('adopts an outbox.sqlite whose writer was killed mid-stream: a gap-free prefix, nothing reported lost', async () => {
    // Until the lead rewires the app, the running gateway writes outbox.sqlite through SqliteOutbox.open.
    const dataDir = scratch();
    const child = spawnCrashWriter(join(dataDir, 'outbox.sqlite'));
    const exited = once(child, 'exit');
    let reported = 0;
    let text = '';
    for await (const chunk of child.stdout) {
      text += String(chunk);
      const lines = text.split('\n');
      text = lines.pop() ?? '';
      for (const line of lines) reported = Math.max(reported, Number(line));
      if (reported >= 3000 && child.kill('SIGKILL')) break;
    }
    expect((await exited)[1]).toBe('SIGKILL');
    expect(statSync(join(dataDir, 'outbox.sqlite-wal')).size).toBeGreaterThan(0);
    expect(existsSync(join(dataDir, 'outbox.sqlite-reserve'))).toBe(true);

    const store = open(dataDir);
    const records = store.outbox.pending(0, 10_000_000);
    expect(records.length).toBeGreaterThanOrEqual(reported);
    expect(records.every((record, index) => record.seq === index + 1)).toBe(true);
    expect(records.every((record) => (JSON.parse(record.payload) as GatewayEvent).seq === record.seq)).toBe(
      true,
    );
    expect(store.outbox.stats()).toMatchObject({ lastSeq: records.length, depth: records.length });
    // Nothing of the old file is left: its -wal, -shm and disk reserve went with it.
    expect(files(dataDir)).toEqual([
      'gateway.sqlite',
      'gateway.sqlite-reserve',
      'gateway.sqlite-shm',
      'gateway.sqlite-wal',
    ]);
  });

  it('uses gateway.sqlite when both exist, warns about the leftover outbox.sqlite and leaves it alone', () => {
    const { dataDir } = fieldGateway('legacy-v1-closed');
    const fresh = scratch();
    open(fresh).close();
    cpSync(join(fresh, 'gateway.sqlite'), join(dataDir, 'gateway.sqlite'));
    const before = readFileSync(join(dataDir, 'outbox.sqlite'));
    const { logger, lines } = captureLogger();
    const store = open(dataDir, logger);
    expect(store.outbox.stats().lastSeq).toBe(0);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 40, leftover: join(dataDir, 'outbox.sqlite') }),
    );
    expect(readFileSync(join(dataDir, 'outbox.sqlite'))).toEqual(before);
  });

  it('refuses, leaving outbox.sqlite untouched, when a stray gateway.sqlite-wal would be replayed into it', () => {
    const { dataDir } = fieldGateway('legacy-v1-killed');
    writeFileSync(join(dataDir, 'gateway.sqlite-wal'), 'stray');
    const before = files(dataDir).map((name) => readFileSync(join(dataDir, name)));
    expect(() => open(dataDir)).toThrow(
      /gateway\.sqlite-wal exists without .*gateway\.sqlite.*move .* aside/,
    );
    expect(files(dataDir).map((name) => readFileSync(join(dataDir, name)))).toEqual(before);
  });

  it('refuses to move an outbox.sqlite another process still has open', () => {
    const { dataDir, expected } = fieldGateway('legacy-v1-killed');
    const running = new Database(join(dataDir, 'outbox.sqlite'));
    disposers.push(() => running.close());
    expect(running.prepare('SELECT count(*) AS n FROM events').get()).toEqual({ n: expected.pending.length });
    expect(() => open(dataDir)).toThrow(/outbox\.sqlite is open in another process.*stop the other gateway/);
    expect(files(dataDir)).toEqual(['outbox.sqlite', 'outbox.sqlite-shm', 'outbox.sqlite-wal']);
    running.close();
    expect(open(dataDir).outbox.pending(0, 1000)).toEqual(expected.pending);
  });

  it('refuses an outbox.sqlite that is not an outbox, naming it', () => {
    const dataDir = scratch();
    const db = new Database(join(dataDir, 'outbox.sqlite'));
    db.exec('CREATE TABLE readings (value REAL)');
    db.close();
    const error = (() => {
      try {
        open(dataDir);
      } catch (caught) {
        return caught as OutboxError;
      }
    })();
    expect(error).toBeInstanceOf(OutboxError);
    expect(error?.path).toBe(join(dataDir, 'outbox.sqlite'));
    expect(error?.message).toMatch(/outbox\.sqlite is an SQLite database but not an rfid-gateway outbox/);
    expect(files(dataDir)).toEqual(['outbox.sqlite']);
  });

  it('clears empty -wal/-shm files a crash right after the rename left behind', () => {
    const { dataDir } = fieldGateway('legacy-v1-closed');
    open(dataDir).close();
    writeFileSync(join(dataDir, 'outbox.sqlite-wal'), '');
    writeFileSync(join(dataDir, 'outbox.sqlite-shm'), Buffer.alloc(32768));
    open(dataDir).close();
    expect(files(dataDir)).toEqual(['gateway.sqlite', 'gateway.sqlite-reserve']);
  });
});
