import { createHmac } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../observability/logger.js';
import { VirtualClock } from '../shared/clock.js';
import {
  CanonicalJsonError,
  canonicalJson,
  computeSignature,
  groupSigningTarget,
  loadClientKeys,
  MAX_CANONICAL_DEPTH,
  parseTs,
  SignatureKeyError,
  SignatureVerifier,
  signingString,
  signRequest,
} from './request-signature.js';

const KEY = 'test-key-0123456789abcdef0123456789';
const T0 = Date.parse('2026-11-22T10:00:00.000Z');

describe('canonical JSON', () => {
  it('sorts keys recursively, keeps array order, and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}',
    );
    expect(canonicalJson([])).toBe('[]');
    expect(canonicalJson({})).toBe('{}');
  });

  it('writes strings and numbers as JSON.stringify does, and sorts by UTF-16 code units', () => {
    expect(canonicalJson({ é: 'ü "q" \\ \n', E: 1.5, e: -0, big: 1e21 })).toBe(
      '{"E":1.5,"big":1e+21,"e":0,"é":"ü \\"q\\" \\\\ \\n"}',
    );
  });

  it('keeps a __proto__ key as data', () => {
    expect(canonicalJson(JSON.parse('{"__proto__":{"x":1},"a":2}'))).toBe('{"__proto__":{"x":1},"a":2}');
  });

  it('refuses what JSON cannot carry and nesting past the limit, without overflowing the stack', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(CanonicalJsonError);
    expect(() => canonicalJson({ a: () => 1 })).toThrow(CanonicalJsonError);
    const deep = JSON.parse(`${'['.repeat(30_000)}${']'.repeat(30_000)}`);
    expect(() => canonicalJson(deep)).toThrow(`nested deeper than ${MAX_CANONICAL_DEPTH}`);
  });
});

describe('the signing string and the HMAC', () => {
  const payload = {
    transaction: 't-9',
    products: [{ sku: 'W1', unitPrice: 150, name: 'Wäter "x"' }],
    client: 'pos',
    ts: '2026-11-22T10:00:00.000Z',
  };
  // Written by hand: gateway, command, ts as sent, canonical JSON of the payload without `signature`.
  const HAND_WRITTEN =
    'gw1\ncatalog/set\n2026-11-22T10:00:00.000Z\n' +
    '{"client":"pos","products":[{"name":"Wäter \\"x\\"","sku":"W1","unitPrice":150}],"transaction":"t-9","ts":"2026-11-22T10:00:00.000Z"}';

  it('is <gateway>\\n<command>\\n<ts>\\n<canonical JSON without signature>', () => {
    expect(signingString('gw1', 'catalog/set', payload)).toBe(HAND_WRITTEN);
    // The signature field, whatever it holds, is not signed.
    expect(signingString('gw1', 'catalog/set', { ...payload, signature: 'ab'.repeat(32) })).toBe(
      HAND_WRITTEN,
    );
  });

  it('matches an HMAC-SHA256 computed independently over the hand-written string', () => {
    const independent = createHmac('sha256', Buffer.from(KEY, 'utf8'))
      .update(Buffer.from(HAND_WRITTEN, 'utf8'))
      .digest('hex');
    expect(computeSignature(KEY, 'gw1', 'catalog/set', payload)).toBe(independent);
    // The same vector from Python: hmac.new(key, s.encode(), hashlib.sha256).hexdigest(), with s from
    // json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).
    expect(independent).toBe('a7c6f82b938dc6f5989e1cd5010065a185d5f3a3fa4449cd5afad48bec90baab');
  });

  it('writes an epoch-millisecond ts in decimal', () => {
    const signed = { client: 'pos', ts: T0, reader: 'door' };
    expect(signingString('gw1', 'readers/restart', signed)).toBe(
      `gw1\nreaders/restart\n${T0}\n{"client":"pos","reader":"door","ts":${T0}}`,
    );
  });

  it('signRequest adds client, ts and the signature', () => {
    const signed = signRequest(
      KEY,
      { gateway: 'gw1', command: 'catalog/set', client: 'pos', ts: payload.ts },
      {
        transaction: 't-9',
        products: payload.products,
      },
    );
    expect(signed).toEqual({
      ...payload,
      signature: 'a7c6f82b938dc6f5989e1cd5010065a185d5f3a3fa4449cd5afad48bec90baab',
    });
  });
});

describe('parseTs', () => {
  it('takes ISO 8601 with an offset, or non-negative integer epoch ms', () => {
    expect(parseTs('2026-11-22T10:00:00.000Z')).toBe(T0);
    expect(parseTs('2026-11-22T11:00:00+01:00')).toBe(T0);
    expect(parseTs(T0)).toBe(T0);
    for (const bad of ['2026-11-22T10:00:00', '2026-11-22', 'yesterday', T0 + 0.5, -1, null, {}]) {
      expect(parseTs(bad)).toBeUndefined();
    }
  });
});

describe('loadClientKeys', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  function dir(): string {
    const made = mkdtempSync(join(tmpdir(), 'rfid-keys-'));
    dirs.push(made);
    return made;
  }

  it('reads each key without surrounding whitespace', () => {
    const file = join(dir(), 'pos.key');
    writeFileSync(file, `  ${KEY}\r\n`, { mode: 0o600 });
    const keys = loadClientKeys([{ id: 'pos', keyFile: file }]);
    expect(keys.get('pos')?.toString('utf8')).toBe(KEY);
  });

  it('names the client and the file of a missing or short key, never the key', () => {
    const base = dir();
    const missing = join(base, 'missing.key');
    expect(() => loadClientKeys([{ id: 'pos', keyFile: missing }])).toThrow(
      new SignatureKeyError('pos', missing, 'cannot read it (ENOENT)'),
    );
    const short = join(base, 'short.key');
    writeFileSync(short, 'secret-but-short\n', { mode: 0o600 });
    let error: unknown;
    try {
      loadClientKeys([{ id: 'kiosk', keyFile: short }]);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(SignatureKeyError);
    expect((error as Error).message).toContain('client "kiosk"');
    expect((error as Error).message).toContain(short);
    expect((error as Error).message).toContain('16 bytes, at least 32');
    expect((error as Error).message).not.toContain('secret-but-short');
  });

  it('refuses a client listed twice, and warns about a key file others may read', () => {
    const file = join(dir(), 'pos.key');
    writeFileSync(file, KEY);
    chmodSync(file, 0o644);
    const lines: string[] = [];
    const logger = createLogger({
      level: 'info',
      destination: { write: (line: string) => lines.push(line) },
    });
    expect(() =>
      loadClientKeys(
        [
          { id: 'pos', keyFile: file },
          { id: 'pos', keyFile: file },
        ],
        logger,
      ),
    ).toThrow('client "pos"');
    expect(lines.join('')).toContain('readable by every user');
    expect(lines.join('')).not.toContain(KEY);
  });
});

describe('SignatureVerifier', () => {
  function verifier(options: { required?: boolean; maxRemembered?: number } = {}) {
    const clock = new VirtualClock(T0);
    const accepted: Array<[string, number]> = [];
    const checker = new SignatureVerifier({
      gateway: 'gw1',
      keys: new Map([['pos', Buffer.from(KEY)]]),
      required: options.required ?? true,
      windowMs: 60_000,
      clock,
      ...(options.maxRemembered === undefined ? {} : { maxRemembered: options.maxRemembered }),
      onAccepted: (signature, until) => accepted.push([signature, until]),
    });
    const sign = (command: string, payload: Record<string, unknown>, ts: string | number = clock.now()) =>
      signRequest(KEY, { gateway: 'gw1', command, client: 'pos', ts }, payload);
    return { clock, checker, sign, accepted };
  }

  it('accepts ts at the window edges and refuses it one millisecond past', () => {
    const { checker, sign } = verifier();
    expect(
      checker.check('readers/restart', sign('readers/restart', { reader: 'a' }, T0 - 60_000), true),
    ).toEqual({
      ok: true,
      client: 'pos',
      verified: true,
    });
    expect(
      checker.check('readers/restart', sign('readers/restart', { reader: 'b' }, T0 + 60_000), true).ok,
    ).toBe(true);
    const old = checker.check('readers/restart', sign('readers/restart', { reader: 'c' }, T0 - 60_001), true);
    expect(old).toMatchObject({ ok: false, client: 'pos' });
    expect(old.ok ? '' : old.error).toMatch(/ts is 60001 ms old, outside the window of ±60000 ms/);
    const future = checker.check(
      'readers/restart',
      sign('readers/restart', { reader: 'd' }, T0 + 60_001),
      true,
    );
    expect(future.ok ? '' : future.error).toMatch(/in the future/);
  });

  it('binds a group request to its group: not to another group, nor to the gateway alone, nor the reverse', () => {
    const { checker, clock } = verifier();
    const signFor = (target: string, reader: string) =>
      signRequest(
        KEY,
        { gateway: target, command: 'readers/restart', client: 'pos', ts: clock.now() },
        { reader },
      );
    expect(signingString(groupSigningTarget('north'), 'ping', { ts: 1 })).toBe(
      'group:north\nping\n1\n{"ts":1}',
    );
    const forNorth = signFor(groupSigningTarget('north'), 'a');
    expect(checker.check('readers/restart', forNorth, true, 'south')).toMatchObject({
      ok: false,
      error:
        'signature: does not match (wrong key, or signed for another command or not for the group "south")',
    });
    expect(checker.check('readers/restart', forNorth, true)).toMatchObject({
      ok: false,
      error: 'signature: does not match (wrong key, or signed for another command or gateway)',
    });
    expect(checker.check('readers/restart', signFor('gw1', 'b'), true, 'north')).toMatchObject({ ok: false });
    expect(checker.check('readers/restart', forNorth, true, 'north')).toEqual({
      ok: true,
      client: 'pos',
      verified: true,
    });
    expect(checker.check('readers/restart', forNorth, true, 'north')).toMatchObject({
      ok: false,
      error: 'signature: already used (a replay)',
    });
  });

  it('refuses a gateway id with a colon, which could pass for a group', () => {
    expect(
      () =>
        new SignatureVerifier({
          gateway: 'group:north',
          keys: new Map(),
          required: true,
          windowMs: 60_000,
          clock: new VirtualClock(T0),
        }),
    ).toThrow(/gateway id "group:north" must not contain ':'/);
  });

  it('accepts an uppercase signature and refuses its lowercase twin as the same replay', () => {
    const { checker, sign } = verifier();
    const signed = sign('readers/restart', { reader: 'a' });
    const upper = { ...signed, signature: String(signed.signature).toUpperCase() };
    expect(checker.check('readers/restart', upper, true).ok).toBe(true);
    expect(checker.check('readers/restart', signed, true)).toMatchObject({
      ok: false,
      error: 'signature: already used (a replay)',
    });
  });

  it('forgets a signature once its ts has left the window, when it could not be replayed anyway', () => {
    const { checker, sign, clock, accepted } = verifier();
    const signed = sign('readers/restart', { reader: 'a' });
    expect(checker.check('readers/restart', signed, true).ok).toBe(true);
    expect(accepted).toEqual([[signed.signature, T0 + 60_000]]);
    clock.advanceTo(T0 + 60_001);
    expect(checker.check('readers/restart', sign('readers/restart', { reader: 'b' }), true).ok).toBe(true);
    expect(checker.remembered).toBe(1);
  });

  it('refuses new signed commands rather than forget unexpired ones when its memory is full', () => {
    const { checker, sign } = verifier({ maxRemembered: 2 });
    expect(checker.check('readers/restart', sign('readers/restart', { reader: 'a' }), true).ok).toBe(true);
    expect(checker.check('readers/restart', sign('readers/restart', { reader: 'b' }), true).ok).toBe(true);
    const third = checker.check('readers/restart', sign('readers/restart', { reader: 'c' }), true);
    expect(third.ok ? '' : third.error).toMatch(/more than 2 signed commands within 60000 ms/);
  });

  it('remembers signatures accepted before a restart', () => {
    const first = verifier();
    const signed = first.sign('readers/restart', { reader: 'a' });
    expect(first.checker.check('readers/restart', signed, true).ok).toBe(true);
    const second = verifier();
    for (const [signature, until] of first.accepted) second.checker.remember(signature, until);
    expect(second.checker.check('readers/restart', signed, true)).toMatchObject({ ok: false });
  });

  it('names what is wrong with incomplete or malformed signature fields', () => {
    const { checker, sign } = verifier();
    const signed = sign('readers/restart', { reader: 'a' });
    const error = (document: unknown) => {
      const result = checker.check('readers/restart', document, true);
      return result.ok ? 'accepted' : result.error;
    };
    expect(error({ reader: 'a', client: 'pos' })).toBe(
      'signature: client, ts and signature go together; missing ts, signature',
    );
    expect(error({ ...signed, client: 'till-7' })).toBe('signature: unknown client "till-7"');
    expect(error({ ...signed, client: 7 })).toBe('signature: client must be a string');
    expect(error({ ...signed, ts: '10:00' })).toMatch(/^signature: ts must be an ISO 8601 date-time/);
    expect(error({ ...signed, signature: 'abc' })).toBe('signature: expected 64 hex digits (HMAC-SHA256)');
    expect(error({ ...signed, reader: 'b' })).toMatch(/^signature: does not match/);
    expect(error(['not', 'an', 'object'])).toMatch(/^signature required/);
  });

  it('lets unsigned requests through when not required, or when they change nothing', () => {
    expect(verifier({ required: false }).checker.check('readers/restart', { reader: 'a' }, true)).toEqual({
      ok: true,
      client: null,
      verified: false,
    });
    expect(verifier().checker.check('ping', {}, false).ok).toBe(true);
    expect(verifier().checker.check('readers/restart', { reader: 'a' }, true).ok).toBe(false);
  });
});
