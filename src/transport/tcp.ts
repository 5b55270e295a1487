import { connect as netConnect } from 'node:net';
import type { Clock } from '../shared/clock.js';
import { type Connect, errorText, type Link } from './reconnecting.js';

export interface TcpAddress {
  host: string;
  port: number;
}

/** Parses 'tcp://host:port' (IPv6 in brackets: 'tcp://[::1]:4001'); throws a config-style error. */
export function parseTcpUrl(url: string): TcpAddress {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`port "${url}": not a valid tcp://host:port address`);
  }
  const port = Number(parsed.port);
  if (parsed.protocol !== 'tcp:' || parsed.hostname === '' || !Number.isInteger(port) || port < 1) {
    throw new Error(`port "${url}": expected tcp://host:port with a port number`);
  }
  return { host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'), port };
}

export interface TcpOptions extends TcpAddress {
  /** A host that silently drops SYNs would otherwise hold an attempt for the OS timeout (minutes). */
  connectTimeoutMs?: number;
  /** TCP keepalive probes notice a dead serial server without traffic of our own. */
  keepAliveMs?: number;
}

export function tcpConnector(options: TcpOptions, clock: Clock): Connect {
  const { host, port, connectTimeoutMs = 10_000, keepAliveMs = 10_000 } = options;
  return (events, signal) =>
    new Promise<Link>((resolve, reject) => {
      const socket = netConnect({ host, port });
      let connected = false;
      let closing = false;
      const giveUp = (error: Error): void => {
        clock.clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        socket.destroy();
        reject(error);
      };
      const onAbort = (): void => giveUp(new Error(`tcp://${host}:${port}: connect aborted`));
      signal.addEventListener('abort', onAbort);
      const timer = clock.setTimeout(
        () => giveUp(new Error(`tcp://${host}:${port}: no connection after ${connectTimeoutMs} ms`)),
        connectTimeoutMs,
      );
      socket.on('error', (error) => {
        if (!connected) {
          giveUp(error);
        } else if (!closing) {
          closing = true;
          events.lost(errorText(error));
        }
      });
      socket.on('close', () => {
        if (connected && !closing) {
          closing = true;
          events.lost('connection closed by peer');
        }
      });
      socket.on('data', events.data);
      socket.on('connect', () => {
        clock.clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        connected = true;
        // Reader frames are small and latency matters more than packet count.
        socket.setNoDelay(true);
        socket.setKeepAlive(true, keepAliveMs);
        resolve({
          write: (bytes) =>
            new Promise<void>((done, fail) => {
              socket.write(bytes, (error) =>
                error ? fail(new Error(`tcp://${host}:${port}: write failed: ${error.message}`)) : done(),
              );
            }),
          close: () =>
            new Promise<void>((done) => {
              closing = true;
              if (socket.destroyed) return done();
              socket.once('close', () => done());
              socket.destroy();
            }),
        });
      });
    });
}
