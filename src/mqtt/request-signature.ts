import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { Logger } from '../observability/logger.js';
import type { Clock } from '../shared/clock.js';

/**
 * Signed MQTT requests (README "Signed commands and the audit log").
 *
 * A signed request carries three more fields beside its own:
 * - `client`: the id of a client listed in `security.signedCommands.clients`;
 * - `ts`: when it was signed, an ISO 8601 date-time with an offset (`2026-11-22T10:00:00.000Z`) or
 *   epoch milliseconds (an integer);
 * - `signature`: 64 hex digits, HMAC-SHA256 with the client's key over the signing string
 *
 *   ```
 *   <gateway id>\n<command>\n<ts>\n<canonical JSON of the payload without `signature`>
 *   ```
 *
 *   `<ts>` is the `ts` field as sent (the string itself, or the integer in decimal); the payload
 *   includes `client`, `ts` and every other field (`transaction`, `expiresAt`, ...). The gateway id
 *   and the command are bound, so a signed `catalog/set` cannot be replayed as `customers/forget`,
 *   nor a command signed for one gateway on another. A request to a group of gateways
 *   (`<baseTopic>/groups/<group>/request/<command>`) binds `group:<group>` in place of the gateway id
 *   ({@link groupSigningTarget}): it runs on every member, and cannot be replayed to another group
 *   or to one gateway alone, nor a single gateway's request to a group (a gateway id has no `:`).
 *
 * Canonical JSON ({@link canonicalJson}): no whitespace, object keys sorted recursively by UTF-16 code
 * units (JavaScript's default sort, RFC 8785's order), strings and numbers written as JSON.stringify
 * writes them. For payloads of strings, integers, booleans, null, arrays and objects that is also
 * Python's `json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`.
 *
 * A request is refused when its `ts` is more than `windowMs` away from the gateway's clock, and when its
 * signature was already accepted within the window (a replay).
 */

export const SIGNATURE_FIELDS = ['client', 'ts', 'signature'] as const;
/** A key shorter than this is refused at start-up: HMAC-SHA256 wants at least its output size. */
export const MIN_KEY_BYTES = 32;
/** Accepted signatures remembered at most; past it, signed requests are refused until some expire. */
export const DEFAULT_MAX_REMEMBERED = 10_000;
/** Nesting deeper than this is refused rather than risking the stack (64 KiB of `[[[[`). */
export const MAX_CANONICAL_DEPTH = 64;

const HEX_SIGNATURE = /^[0-9a-fA-F]{64}$/;
/** The same shape as the request schemas' `expiresAt`: a date, a time, and an offset. */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const MAX_QUOTED = 64;

export class CanonicalJsonError extends Error {}

/** The canonical JSON text of a decoded JSON value (see the module comment). */
export function canonicalJson(value: unknown): string {
  return canonical(value, 0);
}

function canonical(value: unknown, depth: number): string {
  if (depth > MAX_CANONICAL_DEPTH) throw new CanonicalJsonError(`nested deeper than ${MAX_CANONICAL_DEPTH}`);
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new CanonicalJsonError('not a finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonical(item, depth + 1)).join(',')}]`;
  if (typeof value === 'object') {
    // Written as text, never rebuilt as an object: a "__proto__" key would change the prototype.
    const record = value as Record<string, unknown>;
    const parts = Object.keys(record)
      .sort()
      .flatMap((key) => {
        const item = record[key];
        return item === undefined ? [] : [`${JSON.stringify(key)}:${canonical(item, depth + 1)}`];
      });
    return `{${parts.join(',')}}`;
  }
  throw new CanonicalJsonError(`${typeof value} is not JSON`);
}

/** What a group request's signing string names in place of the gateway id. */
export function groupSigningTarget(group: string): string {
  return `group:${group}`;
}

/** The text that is signed: `<gateway>\n<command>\n<ts>\n<canonical JSON without signature>`. */
export function signingString(gateway: string, command: string, payload: Record<string, unknown>): string {
  const { signature: _signature, ...signed } = payload;
  const ts = payload.ts;
  const tsText = typeof ts === 'string' ? ts : typeof ts === 'number' ? JSON.stringify(ts) : '';
  return `${gateway}\n${command}\n${tsText}\n${canonicalJson(signed)}`;
}

/** HMAC-SHA256 of the signing string, as lowercase hex. */
export function computeSignature(
  key: Uint8Array | string,
  gateway: string,
  command: string,
  payload: Record<string, unknown>,
): string {
  return createHmac('sha256', key)
    .update(signingString(gateway, command, payload), 'utf8')
    .digest('hex');
}

/** What a client does: adds `client`, `ts` (default: now as ISO 8601) and `signature` to a payload. */
export function signRequest(
  key: Uint8Array | string,
  options: { gateway: string; command: string; client: string; ts?: string | number },
  payload: Record<string, unknown>,
): Record<string, unknown> {
  const signed = { ...payload, client: options.client, ts: options.ts ?? new Date().toISOString() };
  return { ...signed, signature: computeSignature(key, options.gateway, options.command, signed) };
}

/** A client's key could not be used: the message names the client and the file, never the key. */
export class SignatureKeyError extends Error {
  constructor(
    readonly client: string,
    readonly file: string,
    readonly reason: string,
  ) {
    super(`security.signedCommands: client "${client}": key file ${file}: ${reason}`);
    this.name = 'SignatureKeyError';
  }
}

/**
 * Reads each client's key file: its bytes without leading or trailing whitespace (so `openssl rand
 * -hex 32 > pos.key` gives a 64-byte key: the hex text itself, not decoded), at least
 * {@link MIN_KEY_BYTES}. A file others may read is accepted with a warning. Throws a
 * SignatureKeyError for the first unusable one.
 */
export function loadClientKeys(
  clients: ReadonlyArray<{ id: string; keyFile: string }>,
  logger?: Logger,
): Map<string, Buffer> {
  const keys = new Map<string, Buffer>();
  for (const { id, keyFile } of clients) {
    if (keys.has(id)) throw new SignatureKeyError(id, keyFile, 'the client is listed twice');
    let bytes: Buffer;
    try {
      bytes = readFileSync(keyFile);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new SignatureKeyError(id, keyFile, `cannot read it (${code ?? (error as Error).message})`);
    }
    const key = trimWhitespace(bytes);
    bytes.fill(0);
    if (key.length < MIN_KEY_BYTES) {
      const length = key.length;
      key.fill(0);
      throw new SignatureKeyError(
        id,
        keyFile,
        `the key is ${length} bytes, at least ${MIN_KEY_BYTES} are needed (e.g. openssl rand -hex 32 > ${keyFile})`,
      );
    }
    try {
      // Group-readable is the installed layout (root:rfid-gateway 0640); world-readable is a leak.
      if ((statSync(keyFile).mode & 0o007) !== 0) {
        logger?.warn(
          { client: id, keyFile },
          'signing key file is readable by every user: chmod o-rwx it (e.g. root:rfid-gateway 0640)',
        );
      }
    } catch {
      // Read a moment ago; a stat failing now changes nothing about the key.
    }
    keys.set(id, key);
  }
  return keys;
}

function trimWhitespace(bytes: Buffer): Buffer {
  const space = (byte: number | undefined) =>
    byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d || byte === 0x0b || byte === 0x0c;
  let start = 0;
  let end = bytes.length;
  while (start < end && space(bytes[start])) start++;
  while (end > start && space(bytes[end - 1])) end--;
  return Buffer.from(bytes.subarray(start, end));
}

export interface SignatureVerifierOptions {
  /** Bound into every signature: the gateway's id. */
  gateway: string;
  /** Client id → key. */
  keys: ReadonlyMap<string, Uint8Array>;
  /** State-changing commands without a signature are refused. A signature present is always checked. */
  required: boolean;
  /** Largest distance between `ts` and the clock; also how long an accepted signature is remembered. */
  windowMs: number;
  clock: Clock;
  /** Default {@link DEFAULT_MAX_REMEMBERED}. */
  maxRemembered?: number;
  /** Told of every accepted signature (to keep it across a restart); must not throw. */
  onAccepted?: (signature: string, untilMs: number) => void;
}

/**
 * `client` is the claimed client (truncated), or null when the request carried none; `verified` says
 * whether its signature was checked and found good.
 */
export type SignatureCheck =
  | { ok: true; client: string | null; verified: boolean }
  | { ok: false; client: string | null; verified: false; error: string };

/** Checks the signature fields of requests; see the module comment for the scheme. */
export class SignatureVerifier {
  readonly required: boolean;
  readonly windowMs: number;
  private readonly gateway: string;
  private readonly keys: ReadonlyMap<string, Uint8Array>;
  private readonly clock: Clock;
  private readonly maxRemembered: number;
  private readonly onAccepted: ((signature: string, untilMs: number) => void) | undefined;
  /** Accepted signature (lowercase hex) → the time after which its `ts` is out of the window anyway. */
  private readonly seen = new Map<string, number>();
  private nextSweepAt = Number.NEGATIVE_INFINITY;

  constructor(options: SignatureVerifierOptions) {
    this.gateway = options.gateway;
    this.keys = options.keys;
    this.required = options.required;
    this.windowMs = options.windowMs;
    this.clock = options.clock;
    this.maxRemembered = options.maxRemembered ?? DEFAULT_MAX_REMEMBERED;
    this.onAccepted = options.onAccepted;
    // A gateway called `group:x` would take the signatures made for the group x as its own.
    if (this.gateway.includes(':')) {
      throw new RangeError(`gateway id ${JSON.stringify(this.gateway)} must not contain ':'`);
    }
    if (!(this.windowMs > 0)) throw new RangeError(`windowMs must be positive, got ${this.windowMs}`);
    if (!Number.isInteger(this.maxRemembered) || this.maxRemembered < 1) {
      throw new RangeError(`maxRemembered must be a positive integer, got ${this.maxRemembered}`);
    }
  }

  /** Whether a decoded request carries any of `client`, `ts`, `signature`. */
  static carriesSignature(document: unknown): boolean {
    if (typeof document !== 'object' || document === null || Array.isArray(document)) return false;
    return SIGNATURE_FIELDS.some((field) => Object.hasOwn(document, field));
  }

  /** A signature accepted before a restart: refused again until `untilMs`. */
  remember(signature: string, untilMs: number): void {
    if (!HEX_SIGNATURE.test(signature) || !(untilMs >= this.clock.now())) return;
    if (this.seen.size >= this.maxRemembered) this.sweep(this.clock.now());
    if (this.seen.size < this.maxRemembered) this.seen.set(signature.toLowerCase(), untilMs);
  }

  /** How many accepted signatures are remembered now (expired ones may still count until a sweep). */
  get remembered(): number {
    return this.seen.size;
  }

  /**
   * Checks a decoded request for `command`. Without signature fields it passes unless `changesState`
   * and signatures are required; with any of them all three must be present and good. `group`: the
   * request came on that group's topic, and must be signed for the group, not for this gateway.
   */
  check(command: string, document: unknown, changesState: boolean, group?: string): SignatureCheck {
    if (!SignatureVerifier.carriesSignature(document)) {
      if (changesState && this.required) {
        return refuse(
          null,
          'signature required: a command that changes state or reads personal data must carry client, ts and signature',
        );
      }
      return { ok: true, client: null, verified: false };
    }
    const payload = document as Record<string, unknown>;
    const { client, ts, signature } = payload;
    const claimed = typeof client === 'string' ? truncate(client) : null;
    const missing = SIGNATURE_FIELDS.filter((field) => !Object.hasOwn(payload, field));
    if (missing.length > 0) {
      return refuse(
        claimed,
        `signature: client, ts and signature go together; missing ${missing.join(', ')}`,
      );
    }
    const key = typeof client === 'string' ? this.keys.get(client) : undefined;
    if (key === undefined) {
      return refuse(
        claimed,
        typeof client === 'string'
          ? `signature: unknown client ${JSON.stringify(truncate(client))}`
          : 'signature: client must be a string',
      );
    }
    const tsMs = parseTs(ts);
    if (tsMs === undefined) {
      return refuse(
        claimed,
        'signature: ts must be an ISO 8601 date-time with an offset or epoch milliseconds (an integer)',
      );
    }
    if (typeof signature !== 'string' || !HEX_SIGNATURE.test(signature)) {
      return refuse(claimed, 'signature: expected 64 hex digits (HMAC-SHA256)');
    }
    const now = this.clock.now();
    const skew = now - tsMs;
    if (Math.abs(skew) > this.windowMs) {
      return refuse(
        claimed,
        `signature: ts is ${Math.round(Math.abs(skew))} ms ${skew > 0 ? 'old' : 'in the future'}, ` +
          `outside the window of ±${this.windowMs} ms (a replay, or a clock to set right)`,
      );
    }
    let expected: Buffer;
    try {
      expected = createHmac('sha256', key)
        .update(
          signingString(group === undefined ? this.gateway : groupSigningTarget(group), command, payload),
          'utf8',
        )
        .digest();
    } catch (error) {
      const reason = error instanceof CanonicalJsonError ? error.message : 'cannot be canonicalised';
      return refuse(claimed, `signature: payload ${reason}`);
    }
    if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) {
      return refuse(
        claimed,
        group === undefined
          ? 'signature: does not match (wrong key, or signed for another command or gateway)'
          : `signature: does not match (wrong key, or signed for another command or not for the group ${JSON.stringify(group)})`,
      );
    }
    const normalised = signature.toLowerCase();
    if (now >= this.nextSweepAt || this.seen.size >= this.maxRemembered) this.sweep(now);
    const until = this.seen.get(normalised);
    if (until !== undefined && until >= now) {
      return refuse(claimed, 'signature: already used (a replay)');
    }
    if (this.seen.size >= this.maxRemembered) {
      return refuse(
        claimed,
        `signature: more than ${this.maxRemembered} signed commands within ${this.windowMs} ms; try again later`,
      );
    }
    const untilMs = tsMs + this.windowMs;
    this.seen.set(normalised, untilMs);
    try {
      this.onAccepted?.(normalised, untilMs);
    } catch {
      // Keeping it across a restart is a bonus; this process remembers it anyway.
    }
    return { ok: true, client: claimed, verified: true };
  }

  private sweep(now: number): void {
    for (const [signature, until] of this.seen) {
      if (until < now) this.seen.delete(signature);
    }
    this.nextSweepAt = now + this.windowMs;
  }
}

function refuse(client: string | null, error: string): SignatureCheck {
  return { ok: false, client, verified: false, error };
}

/** Epoch ms of a `ts` field, or undefined when it is neither form. */
export function parseTs(ts: unknown): number | undefined {
  if (typeof ts === 'number') return Number.isSafeInteger(ts) && ts >= 0 ? ts : undefined;
  if (typeof ts !== 'string' || !ISO_DATE_TIME.test(ts)) return undefined;
  const ms = Date.parse(ts);
  return Number.isFinite(ms) ? ms : undefined;
}

function truncate(text: string): string {
  return text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text;
}
