import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { type ConsoleAccess, SESSION_COOKIE, SESSION_SECONDS } from './access.js';
import { type Asset, CHUNK_DIR } from './assets.js';
import type { ConsoleLive } from './live.js';
import type { ConsoleSigner } from './signer.js';

/**
 * The pages allow their own scripts, styles and connections only: no inline script, no framing,
 * nothing fetched from elsewhere (the console works with no internet).
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const ASSET_PATHS: Readonly<Record<string, string>> = {
  '/': 'index.html',
  '/index.html': 'index.html',
  '/console/app.js': 'app.js',
  '/console/app.css': 'app.css',
};

/** Chunks a page loads later: looked up among the files loaded at start, so no path reaches the disk. */
const CHUNK_PREFIX = `/console/${CHUNK_DIR}/`;

const loginSchema = z.strictObject({ token: z.string().min(1).max(256) });
const MAX_BODY_BYTES = 4096;
/** As the MQTT router's own limit: a request is never larger over HTTP. */
const MAX_REQUEST_BYTES = 64 * 1024;

export interface ConsoleParts {
  access: ConsoleAccess;
  assets: ReadonlyMap<string, Asset>;
  live: ConsoleLive;
  /** What /api/now says besides the live state: the devices, the outbox and the broker. */
  now: () => Record<string, unknown>;
  /** The gateway's request router (MQTT requests), the one path for the console's reads and actions. */
  requests?: {
    handle(command: string, payload: Uint8Array): Promise<{ payload: string }>;
    /** The command's own limit (a CSV import takes megabytes); the router's 64 KiB otherwise. */
    maxPayloadBytes?(command: string): number;
  };
  /** Signs each forwarded request as `http.console.client` (absent: forwarded unsigned). */
  sign?: ConsoleSigner | undefined;
}

/** Answers a console request; false for a path that is not the console's. */
export async function answerConsole(
  parts: ConsoleParts,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<boolean> {
  const url = new URL(request.url ?? '/', 'http://console');
  const path = url.pathname;
  const asset = ASSET_PATHS[path];
  if (asset === undefined && !path.startsWith(CHUNK_PREFIX) && !path.startsWith('/api/')) return false;
  const rebound = parts.access.hostRefusal(request);
  if (rebound !== undefined) {
    json(response, 403, { error: rebound });
    return true;
  }
  if (asset !== undefined) {
    if (!isRead(request, response)) return true;
    serveAsset(request, response, parts.assets.get(asset));
    return true;
  }
  if (path.startsWith(CHUNK_PREFIX)) {
    if (!isRead(request, response)) return true;
    const chunk = parts.assets.get(`${CHUNK_DIR}/${path.slice(CHUNK_PREFIX.length)}`);
    if (chunk) serveAsset(request, response, chunk);
    else json(response, 404, { error: `no such console file: ${path}` });
    return true;
  }
  const forged = crossSite(request);
  if (forged !== undefined) {
    json(response, 403, { error: forged });
    return true;
  }
  if (path === '/api/login') {
    await login(parts, request, response);
    return true;
  }
  if (path === '/api/logout') {
    logout(parts, request, response);
    return true;
  }
  const verdict = parts.access.verdict(request);
  if (verdict !== 'allowed') {
    json(response, verdict === 'token-required' ? 401 : 403, {
      error:
        verdict === 'token-required'
          ? 'this console needs its access token'
          : 'this listener is not on loopback and no http.console.token is configured: the console is off',
    });
    return true;
  }
  if (path.startsWith('/api/request/')) {
    await forward(parts, path.slice('/api/request/'.length), request, response);
    return true;
  }
  if (!isRead(request, response)) return true;
  switch (path) {
    case '/api/now':
      // A console behind a token offers its sign-out; an open one has nobody to sign out.
      json(response, 200, { ...parts.now(), ...parts.live.now(), tokenRequired: !parts.access.open });
      return true;
    case '/api/events': {
      const header = request.headers['last-event-id'];
      const given = typeof header === 'string' ? header : (url.searchParams.get('since') ?? undefined);
      const since = given !== undefined && /^\d{1,15}$/.test(given) ? Number(given) : undefined;
      // HEAD asks what GET would answer: the headers, not a stream left open with nothing to send.
      if (request.method === 'HEAD') parts.live.head(response);
      else parts.live.stream(response, since);
      return true;
    }
    default:
      json(response, 404, { error: `no such console API: ${path}` });
      return true;
  }
}

/**
 * A request as MQTT would carry it (`<base>/request/<command>` with this body): the same router
 * validates it, checks its signature where signatures are required, audits it and runs it, and its
 * answer is the MQTT response's payload. The console has no back door.
 */
async function forward(
  parts: ConsoleParts,
  command: string,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  if (request.method !== 'POST') {
    response.writeHead(405, { Allow: 'POST', 'Content-Type': 'text/plain; charset=utf-8' });
    response.end('use POST with the request as JSON\n');
    return;
  }
  if (!parts.requests) {
    json(response, 503, { error: 'requests are served only with a broker configured (mqtt)' });
    return;
  }
  let body: string;
  try {
    body = await readBody(request, parts.requests.maxPayloadBytes?.(command) ?? MAX_REQUEST_BYTES);
  } catch (error) {
    // The rest of the body is not read: the connection closes once the answer is out.
    response.setHeader('Connection', 'close');
    json(response, 413, { error: (error as Error).message });
    return;
  }
  const payload = Buffer.from(body === '' ? '{}' : body, 'utf8');
  let signed: Uint8Array;
  try {
    signed = parts.sign ? parts.sign(command, payload) : payload;
  } catch (error) {
    json(response, 500, { error: `the console could not sign the request: ${(error as Error).message}` });
    return;
  }
  let answer: { payload: string };
  try {
    answer = await parts.requests.handle(command, signed);
  } catch (error) {
    // The router is not running (starting or stopping) or failed: an answer, not a reset connection.
    json(response, 503, { error: `the request was not run: ${(error as Error).message}` });
    return;
  }
  const text = `${answer.payload}\n`;
  response.writeHead(200, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
  });
  response.end(text);
}

/**
 * A page on another site must not drive the console through the browser of someone who may use it
 * (a loopback console needs no token, so a web page open on the Pi could otherwise unlock a door):
 * a change must come as JSON (which a cross-site form cannot send without a preflight the console
 * never grants) and from this origin when the browser says where it comes from.
 */
function crossSite(request: IncomingMessage): string | undefined {
  const origin = request.headers.origin;
  const reads = request.method === 'GET' || request.method === 'HEAD';
  // A sandboxed frame or a page opened from a file says `null`: it is not the console's page.
  if (origin === 'null' && !reads)
    return 'requests from origin null are refused: the console answers its own pages only';
  if (origin !== undefined && origin !== 'null' && request.headers.host !== undefined) {
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      return `origin ${origin} is not a URL`;
    }
    if (host !== request.headers.host)
      return `requests from ${origin} are refused: the console answers its own pages only`;
  }
  if (
    request.method === 'POST' &&
    !/^application\/json\b/i.test(String(request.headers['content-type'] ?? ''))
  ) {
    return 'send the request as JSON (Content-Type: application/json)';
  }
  return undefined;
}

function isRead(request: IncomingMessage, response: ServerResponse): boolean {
  if (request.method === 'GET' || request.method === 'HEAD') return true;
  response.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
  response.end(`method ${request.method} not allowed\n`);
  return false;
}

function serveAsset(request: IncomingMessage, response: ServerResponse, asset: Asset | undefined): void {
  if (!asset) {
    response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
    response.end('console assets missing: run npm run build\n');
    return;
  }
  const gzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
  const body = gzip ? asset.gzipped : asset.body;
  response.writeHead(200, {
    'Content-Type': asset.contentType,
    'Content-Length': String(body.length),
    'Cache-Control': 'no-cache',
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    Vary: 'Accept-Encoding',
    ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}

async function login(parts: ConsoleParts, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method !== 'POST') {
    response.writeHead(405, { Allow: 'POST', 'Content-Type': 'text/plain; charset=utf-8' });
    response.end('use POST\n');
    return;
  }
  let body: unknown;
  try {
    body = JSON.parse(await readBody(request));
  } catch (error) {
    json(response, 400, { error: `not JSON: ${(error as Error).message}` });
    return;
  }
  const parsed = loginSchema.safeParse(body);
  if (!parsed.success || !parts.access.matches(parsed.data.token)) {
    json(response, 401, { error: 'wrong token' });
    return;
  }
  response.writeHead(204, {
    'Set-Cookie': `${SESSION_COOKIE}=${parts.access.newSession()}; Path=/; Max-Age=${SESSION_SECONDS}; HttpOnly; SameSite=Strict`,
    'Cache-Control': 'no-store',
  });
  response.end();
}

/** Ends the request's session (its cookie is refused from now on, wherever a copy of it is) and clears it. */
function logout(parts: ConsoleParts, request: IncomingMessage, response: ServerResponse): void {
  if (request.method !== 'POST') {
    response.writeHead(405, { Allow: 'POST', 'Content-Type': 'text/plain; charset=utf-8' });
    response.end('use POST\n');
    return;
  }
  parts.access.revoke(request);
  // The body (if any) is not needed: drained, so that the connection can serve the next request.
  request.resume();
  response.writeHead(204, {
    'Set-Cookie': `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict`,
    'Cache-Control': 'no-store',
  });
  response.end();
}

function readBody(request: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Not destroyed here: the client would see its connection reset instead of the 413 answer.
        // What it still sends is discarded until the answer has closed the connection.
        request.removeAllListeners('data');
        request.resume();
        reject(new Error(`body over ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function json(response: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body)}\n`;
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
  });
  response.end(text);
}
