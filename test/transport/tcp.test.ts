import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/observability/logger.js';
import { systemClock } from '../../src/shared/clock.js';
import { createTransport } from '../../src/transport/create.js';
import { parseTcpUrl } from '../../src/transport/tcp.js';
import type { ByteTransport } from '../../src/transport/types.js';
import { M6E_GET_VERSION, M6E_HEARTBEAT, M6E_TAG_FRAME_T1 } from './fixtures.js';
import { Recorder } from './recorder.js';
import { waitFor } from './wait.js';

/** A stand-in for ser2net: a real TCP server whose clients are kept so that they can be cut off. */
class SerialServer {
  readonly clients: Socket[] = [];
  received = Buffer.alloc(0);
  private server: Server | undefined;

  async listen(port = 0): Promise<number> {
    const server = createServer((socket) => {
      this.clients.push(socket);
      socket.on('data', (chunk) => {
        this.received = Buffer.concat([this.received, chunk]);
      });
      socket.on('error', () => {});
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return address.port;
  }

  async close(): Promise<void> {
    for (const client of this.clients.splice(0)) client.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

let server: SerialServer | undefined;
let transport: ByteTransport | undefined;

afterEach(async () => {
  await transport?.stop();
  await server?.close();
  transport = undefined;
  server = undefined;
});

const FAST_RETRY = { initialMs: 50, maxMs: 200, factor: 2, jitter: 0 };

describe('tcp transport', () => {
  it('carries bytes both ways and survives a server restart without being recreated', async () => {
    server = new SerialServer();
    const port = await server.listen();
    const recorder = new Recorder();
    const tcp = createTransport(
      { port: `tcp://127.0.0.1:${port}`, baudRate: 115200, reconnect: FAST_RETRY },
      { clock: systemClock, logger: silentLogger() },
    );
    transport = tcp;
    expect(tcp.target).toBe(`tcp://127.0.0.1:${port}`);
    tcp.start(recorder);
    await waitFor('online', () => recorder.lastIs('online'));
    await waitFor('accepted', () => server?.clients[0]);
    expect(server.clients[0]?.remoteAddress).toBe('127.0.0.1');

    server.clients[0]?.write(M6E_TAG_FRAME_T1);
    await waitFor('frame', () => (recorder.bytes.length === M6E_TAG_FRAME_T1.length ? true : undefined));
    expect(recorder.bytes).toEqual(Buffer.from(M6E_TAG_FRAME_T1));
    await tcp.write(M6E_GET_VERSION);
    await waitFor('command at the server', () => (server?.received.length === 5 ? true : undefined));
    expect(server.received).toEqual(Buffer.from(M6E_GET_VERSION));

    await server.close();
    const lost = await waitFor('offline', () => recorder.lastIs('offline'));
    expect(lost).toEqual({
      state: 'offline',
      reason: 'connection closed by peer',
      attempt: 1,
      retryInMs: 50,
    });
    await waitFor('a refused retry', () => (recorder.statuses.length >= 3 ? true : undefined));
    const refused = recorder.statuses[2];
    expect(refused).toMatchObject({ state: 'offline', attempt: 2, retryInMs: 100 });
    if (refused?.state === 'offline') expect(refused.reason).toMatch(/ECONNREFUSED/);

    await server.listen(port);
    await waitFor('online again', () => recorder.lastIs('online'));
    await waitFor('accepted again', () => server?.clients[0]);
    recorder.clearData();
    server.clients[0]?.write(M6E_HEARTBEAT);
    await waitFor('heartbeat', () => (recorder.bytes.length === M6E_HEARTBEAT.length ? true : undefined));
    expect(recorder.bytes).toEqual(Buffer.from(M6E_HEARTBEAT));
  });

  it('stops: closes the connection, which the server sees', async () => {
    server = new SerialServer();
    const port = await server.listen();
    const recorder = new Recorder();
    transport = createTransport(
      { port: `tcp://127.0.0.1:${port}`, baudRate: 9600 },
      { clock: systemClock, logger: silentLogger() },
    );
    transport.start(recorder);
    const client = await waitFor('accepted', () => server?.clients[0]);
    const ended = new Promise<void>((resolve) => client.once('close', () => resolve()));
    await waitFor('online', () => recorder.lastIs('online'));
    await transport.stop();
    await ended;
    expect(recorder.last).toEqual({ state: 'offline', reason: 'stopped', attempt: 0, retryInMs: null });
  });
});

describe('parseTcpUrl', () => {
  it.each([
    ['tcp://192.168.1.20:4001', { host: '192.168.1.20', port: 4001 }],
    ['tcp://ser2net.local:3333', { host: 'ser2net.local', port: 3333 }],
    ['tcp://[::1]:4001', { host: '::1', port: 4001 }],
  ])('parses %s', (url, address) => {
    expect(parseTcpUrl(url)).toEqual(address);
  });

  it.each(['tcp://host', 'tcp://:4001', 'tcp://host:0', 'tcp//host:1'])('rejects %s', (url) => {
    expect(() => parseTcpUrl(url)).toThrow(`port "${url}"`);
  });
});
