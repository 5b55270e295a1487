import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/app/event-bus.js';
import { configSchema } from '../../src/config/schema.js';
import { ConsoleLive, MAX_STREAMS } from '../../src/integrations/http/console/live.js';
import { silentLogger } from '../../src/observability/logger.js';
import { VirtualClock } from '../../src/shared/clock.js';

const CONFIG = {
  readers: [{ id: 'uhf', driver: 'thingmagic', port: '/dev/ttyUSB0', zone: 'fridge' }],
};
/** Bytes a test may push at a stalled page before it calls the gateway's buffering unbounded. */
const GIVE_UP_BYTES = 48 * 1024 * 1024;

/** The console's live state behind a real HTTP server: every request is an event stream. */
async function streamingServer(): Promise<{
  bus: EventBus;
  live: ConsoleLive;
  server: Server;
  port: number;
}> {
  const bus = new EventBus({ gateway: 'gw', clock: new VirtualClock(0), logger: silentLogger() });
  const live = new ConsoleLive(configSchema.parse(CONFIG), bus);
  const server = createServer((_request, response) => live.stream(response, undefined));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { bus, live, server, port: (server.address() as { port: number }).port };
}

/** A raw connection that asks for the stream; what it has read so far is in `received()`. */
async function openStream(port: number): Promise<{ socket: Socket; received: () => string }> {
  const socket = connect({ host: '127.0.0.1', port });
  await new Promise((resolve) => socket.once('connect', resolve));
  let text = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    text += chunk;
  });
  socket.write('GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  await until(() => text.includes(': connected'));
  return { socket, received: () => text };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

describe("the console's event streams", () => {
  const cleanup: Array<() => unknown> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('cuts a page that stopped reading once it falls too far behind, and keeps the one that reads', async () => {
    const { bus, live, server, port } = await streamingServer();
    cleanup.push(() => new Promise((resolve) => server.close(resolve)));
    cleanup.push(() => live.close());
    const reading = await openStream(port);
    // A phone locked with the page open: its connection stays, nothing is read from it any more.
    const stalled = await openStream(port);
    cleanup.push(
      () => reading.socket.destroy(),
      () => stalled.socket.destroy(),
    );
    stalled.socket.pause();
    expect(live.streamCount).toBe(2);
    const detail = 'x'.repeat(1000);
    let pushed = 0;
    while (live.streamCount === 2 && pushed < GIVE_UP_BYTES) {
      for (let index = 0; index < 32; index++) {
        bus.emit({ type: 'security.alarm', kind: 'door_left_open', detail });
        pushed += detail.length;
      }
      // The sockets write, the reading page reads.
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(live.streamCount).toBe(1);
    const lastSeq = live.now().lastSeq;
    // The page that reads has every event, to the last.
    await until(() => reading.received().includes(`id: ${lastSeq}\n`));
    expect(reading.socket.destroyed).toBe(false);
  });

  it(`answers 503 past ${MAX_STREAMS} open pages`, async () => {
    const { live, server, port } = await streamingServer();
    cleanup.push(() => new Promise((resolve) => server.close(resolve)));
    cleanup.push(() => live.close());
    const open: Socket[] = [];
    cleanup.push(() => {
      for (const socket of open) socket.destroy();
    });
    for (let index = 0; index < MAX_STREAMS; index++) open.push((await openStream(port)).socket);
    expect(live.streamCount).toBe(MAX_STREAMS);
    const response = await fetch(`http://127.0.0.1:${port}/api/events`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      error: `${MAX_STREAMS} console pages are open already: close one`,
    });
    // One page closes: the next one is served.
    open.pop()?.destroy();
    await until(() => live.streamCount === MAX_STREAMS - 1);
    const next = await openStream(port);
    open.push(next.socket);
    expect(live.streamCount).toBe(MAX_STREAMS);
  });
});
