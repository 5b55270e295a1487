import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import type { Clock } from '../../../shared/clock.js';

/** The cookie the sign-in page sets: a signed session, never the token itself. */
export const SESSION_COOKIE = 'rfid_console';
/**
 * How long a sign-in lasts, from the sign-in (not sliding: a copied cookie dies by itself, and a
 * person signs in at most twice a shift).
 */
export const SESSION_SECONDS = 12 * 60 * 60;
/** Sessions signed out before their end, remembered until it (a person signs out a few times a day). */
const MAX_REVOKED = 1000;

/** Whether the listener's bind address reaches this machine only. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/**
 * Whether a `Host` header names this machine by a name no one else can point elsewhere: `localhost`,
 * a 127.x.y.z address or [::1], any port. A DNS name (even one resolving to 127.0.0.1) is not: a page
 * of another site can rebind its own name to 127.0.0.1, and its requests then carry that name.
 */
export function isLoopbackHostHeader(header: string): boolean {
  const match = /^(localhost|\d{1,3}(?:\.\d{1,3}){3}|\[::1\])(?::\d{1,5})?$/i.exec(header);
  const name = match?.[1]?.toLowerCase();
  if (name === undefined) return false;
  return name === 'localhost' || name === '[::1]' || (isIP(name) === 4 && name.startsWith('127.'));
}

export type AccessVerdict = 'allowed' | 'token-required' | 'no-token-configured';

/**
 * Who may use the console: anyone on a loopback listener (only this machine reaches it); on any
 * other bind address only a request carrying the token, as `Authorization: Bearer <token>`, or the
 * session cookie the sign-in page got for it. A listener off loopback with no token configured serves
 * no console at all.
 *
 * The session cookie is `<expiry>.<nonce>.<HMAC-SHA256 of both, keyed by the token>`: it survives a
 * gateway restart, every session ends when the token changes, and it is worth nothing after its
 * expiry, unlike the token a cookie used to carry (sent to every port of the host, never expiring).
 */
export class ConsoleAccess {
  private readonly token: Buffer | undefined;
  /** Signed-out sessions by nonce, with when they would have ended (oldest first: all last as long). */
  private readonly revoked = new Map<string, number>();

  constructor(
    private readonly host: string,
    settings: { token?: string | undefined; tokenFile?: string | undefined },
    private readonly clock: Clock,
  ) {
    const token = settings.tokenFile ? readTokenFile(settings.tokenFile) : settings.token;
    this.token = token === undefined ? undefined : Buffer.from(token, 'utf8');
  }

  get open(): boolean {
    return isLoopbackHost(this.host);
  }

  verdict(request: IncomingMessage): AccessVerdict {
    if (this.open) return 'allowed';
    if (!this.token) return 'no-token-configured';
    const given = bearer(request);
    if (given !== undefined) return this.matches(given) ? 'allowed' : 'token-required';
    return this.session(request) !== undefined ? 'allowed' : 'token-required';
  }

  /**
   * Why the console refuses a request for the name it was sent to (undefined: it does not).
   *
   * An open console trusts whoever reaches it, so it answers only requests addressed to a loopback
   * name: a page of evil.example open in the Pi's browser, its name rebound to 127.0.0.1, sends
   * `Host: evil.example:9464` (and an Origin matching it), and is refused. A console with a token
   * needs no such check: that page has no token, and the browser sends the cookie only to the name it
   * was set for, never to evil.example. A request with no Host (HTTP/1.0) is no browser's.
   */
  hostRefusal(request: IncomingMessage): string | undefined {
    const host = request.headers.host;
    if (!this.open || host === undefined || isLoopbackHostHeader(host)) return undefined;
    return `host ${host} is refused: a console without a token answers only requests to localhost, 127.0.0.1 or [::1]; open it at one of those`;
  }

  /**
   * Constant-time comparison of digests: the answer's timing says nothing about how much of a guess
   * was right, nor about the token's length.
   */
  matches(given: string): boolean {
    const token = this.token;
    if (!token) return false;
    return timingSafeEqual(sha256(Buffer.from(given, 'utf8')), sha256(token));
  }

  /** A new session's cookie value (the caller has checked the token). */
  newSession(): string {
    const expires = Math.floor(this.clock.now() / 1000) + SESSION_SECONDS;
    const nonce = randomBytes(12).toString('base64url');
    return `${expires}.${nonce}.${this.mac(expires, nonce).toString('base64url')}`;
  }

  /** Signs out the request's session: its cookie is refused from now on, even if kept elsewhere. */
  revoke(request: IncomingMessage): void {
    const session = this.session(request);
    if (!session) return;
    const now = this.clock.now();
    for (const [nonce, until] of this.revoked) if (until <= now) this.revoked.delete(nonce);
    this.revoked.set(session.nonce, session.expiresMs);
    // Only a holder of the token can make sessions to sign out; past the bound, the one ending first goes.
    if (this.revoked.size > MAX_REVOKED) {
      const first = this.revoked.keys().next();
      if (!first.done) this.revoked.delete(first.value);
    }
  }

  /** The request's valid session cookie, if it has one. */
  private session(request: IncomingMessage): { nonce: string; expiresMs: number } | undefined {
    const value = cookie(request, SESSION_COOKIE);
    const parts = value === undefined ? null : /^(\d{1,12})\.([\w-]{16})\.([\w-]{43})$/.exec(value);
    if (!parts || !this.token) return undefined;
    const [, expiresText = '', nonce = '', mac = ''] = parts;
    const expires = Number(expiresText);
    const expected = this.mac(expires, nonce);
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    const expiresMs = expires * 1000;
    if (expiresMs <= this.clock.now() || this.revoked.has(nonce)) return undefined;
    return { nonce, expiresMs };
  }

  private mac(expires: number, nonce: string): Buffer {
    return createHmac('sha256', this.token ?? Buffer.alloc(0))
      .update(`${SESSION_COOKIE}.${expires}.${nonce}`)
      .digest();
  }
}

function sha256(bytes: Buffer): Buffer {
  return createHash('sha256').update(bytes).digest();
}

function readTokenFile(path: string): string {
  const token = readFileSync(path, 'utf8').split(/\r?\n/, 1)[0]?.trim() ?? '';
  if (token.length < 16)
    throw new Error(`http.console.tokenFile ${path}: the token must be at least 16 characters`);
  return token;
}

function bearer(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
}

/** A cookie's value; a value that is not valid percent-encoding is no cookie (it never throws). */
function cookie(request: IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key !== name) continue;
    try {
      return decodeURIComponent(value.join('='));
    } catch {
      return undefined;
    }
  }
  return undefined;
}
