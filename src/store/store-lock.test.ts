import { rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/kits/store/store.js';
import { silentLogger } from '../observability/logger.js';
import { VirtualClock } from '../shared/clock.js';
import { Store } from './store.js';
import { StoreLockedError } from './store-lock.js';

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);

// SQLite keeps file locks per connection within a process too, so one process shows the rules;
// test/store/data-dir-lock.test.ts shows them between real processes and after a SIGKILL.
describe('the data directory lock', () => {
  const disposers: (() => void)[] = [];
  afterEach(() => {
    for (const dispose of disposers.splice(0).reverse()) dispose();
  });
  function open(dataDir: string, lock = true): Store {
    const clock = new VirtualClock(T0);
    const store = Store.open({
      dataDir,
      clock,
      logger: silentLogger(),
      ...(lock ? { lock: { clock } } : {}),
    });
    disposers.push(() => store.close());
    return store;
  }

  it('lets one locking store open a directory at a time, and names the holder to the next', () => {
    const dir = tempDir('store-lock-');
    disposers.push(dir.dispose);
    const first = open(dir.path);
    let refused: unknown;
    try {
      open(dir.path);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(StoreLockedError);
    expect((refused as StoreLockedError).holder).toEqual({
      pid: process.pid,
      host: hostname(),
      startedAt: '2026-11-22T10:00:00.000Z',
    });
    expect((refused as Error).message).toContain(
      `store ${join(dir.path, 'gateway.sqlite')} is in use by another gateway: process ${process.pid} on ${hostname()}, started 2026-11-22T10:00:00.000Z`,
    );
    // A store opened without the lock (the catalog command) works beside the gateway.
    expect(open(dir.path, false).db.open).toBe(true);
    first.close();
    expect(open(dir.path).db.open).toBe(true);
  });

  it('lets go when the store behind it cannot be opened', () => {
    const dir = tempDir('store-lock-');
    disposers.push(dir.dispose);
    writeFileSync(join(dir.path, 'gateway.sqlite'), "not a database, but somebody else's file");
    expect(() => open(dir.path)).toThrow(/is not an SQLite database/);
    rmSync(join(dir.path, 'gateway.sqlite'));
    expect(open(dir.path).db.open).toBe(true);
  });
});
