import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/** The cookie the login page sets: the token itself, HttpOnly, SameSite=Strict. */
export const SESSION_COOKIE = 'rfid_console';

/** Whether the listener's bind address reaches this machine only. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

export type AccessVerdict = 'allowed' | 'token-required' | 'no-token-configured';

/**
 * Who may use the console: anyone on a loopback listener (only this machine reaches it); on any
 * other bind address only a request carrying the token, as `Authorization: Bearer <token>` or the
 * login page's cookie. A listener off loopback with no token configured serves no console at all.
 */
export class ConsoleAccess {
  private readonly token: Buffer | undefined;

  constructor(
    private readonly host: string,
    settings: { token?: string | undefined; tokenFile?: string | undefined },
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
    const given = bearer(request) ?? cookie(request, SESSION_COOKIE);
    return given !== undefined && this.matches(given) ? 'allowed' : 'token-required';
  }

  /** Constant-time comparison: the answer's timing says nothing about how much of a guess was right. */
  matches(given: string): boolean {
    const token = this.token;
    if (!token) return false;
    const candidate = Buffer.from(given, 'utf8');
    return candidate.length === token.length && timingSafeEqual(candidate, token);
  }
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

function cookie(request: IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}
