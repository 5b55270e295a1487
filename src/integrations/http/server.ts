import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isIPv6 } from 'node:net';

export interface Reply {
  status: number;
  contentType: string;
  body: string;
  headers?: Record<string, string>;
}

/** GET (and HEAD) handlers by exact path. */
export type Routes = Readonly<Record<string, () => Promise<Reply> | Reply>>;

/** `host:port`, with brackets around an IPv6 address. */
export function hostPort(host: string, port: number): string {
  return `${isIPv6(host) ? `[${host}]` : host}:${port}`;
}

const text = (status: number, body: string, headers?: Record<string, string>): Reply => ({
  status,
  contentType: 'text/plain; charset=utf-8',
  body,
  ...(headers ? { headers } : {}),
});

/**
 * A small, closed HTTP server: the routes answer GET and HEAD, anything else is 405, any other
 * path 404. A handler that throws is a 500 (reported to `onError`), never a crash.
 */
export function createRoutesServer(
  routes: Routes,
  onError: (error: unknown, path: string) => void,
  /** Answers first the requests it knows (the console's pages, API and event stream). */
  before?: (request: IncomingMessage, response: ServerResponse) => Promise<boolean>,
): Server {
  const paths = Object.keys(routes).join(', ');
  const server = createServer((request, response) => {
    void answer(request, response).catch((error: unknown) => {
      onError(error, request.url ?? '');
      response.destroy();
    });
  });
  const answer = async (request: IncomingMessage, response: ServerResponse) => {
    if (before && (await before(request, response))) return;
    const path = (request.url ?? '/').split('?', 1)[0] ?? '/';
    const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
    let reply: Reply;
    if (!route) reply = text(404, `not found; this listener serves ${paths}\n`);
    else if (request.method !== 'GET' && request.method !== 'HEAD')
      reply = text(405, `method ${request.method} not allowed; use GET or HEAD\n`, { Allow: 'GET, HEAD' });
    else {
      try {
        reply = await route();
      } catch (error) {
        onError(error, path);
        reply = text(500, 'internal error; see the gateway log\n');
      }
    }
    const body = Buffer.from(reply.body, 'utf8');
    response.writeHead(reply.status, {
      'Content-Type': reply.contentType,
      'Content-Length': String(body.length),
      'Cache-Control': 'no-store',
      ...reply.headers,
    });
    response.end(request.method === 'HEAD' ? undefined : body);
  };
  // A scraper and a health probe, not a web server: bounded in time and in connections.
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  server.maxConnections = 64;
  return server;
}

/** Why a listen failed, in words an operator can act on. */
function listenProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'EADDRINUSE':
      return 'the port is already in use (EADDRINUSE): another process listens there; choose another http.port or stop it';
    case 'EACCES':
      return 'permission denied (EACCES): ports below 1024 need privileges; choose http.port 1024 or above';
    case 'EADDRNOTAVAIL':
      return 'no such address on this machine (EADDRNOTAVAIL): check http.host';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `unknown host (${code}): check http.host`;
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

/** Listens; rejects with a message naming `host:port` and what to do. */
export function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const failed = (error: unknown) => {
      server.off('listening', listening);
      reject(
        new Error(`cannot listen on ${hostPort(host, port)}: ${listenProblem(error)}`, { cause: error }),
      );
    };
    const listening = () => {
      server.off('error', failed);
      resolve(server.address() as AddressInfo);
    };
    server.once('error', failed);
    server.once('listening', listening);
    server.listen({ host, port });
  });
}

/**
 * Stops accepting, closes idle keep-alive connections, lets the responses in flight finish for up
 * to `graceMs`, then cuts what is left. Resolves whether or not the server was listening.
 */
export function close(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    const deadline = setTimeout(() => server.closeAllConnections(), graceMs);
    deadline.unref();
    server.close(() => {
      clearTimeout(deadline);
      resolve();
    });
    server.closeIdleConnections();
  });
}
