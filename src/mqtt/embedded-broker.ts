import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import type { Logger } from '../observability/logger.js';

export interface EmbeddedBroker {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * A small in-process MQTT broker (aedes) on loopback, so that a newcomer can watch the demo with
 * `mosquitto_sub -h 127.0.0.1 -t 'rfid/#' -v` without installing a broker. It keeps nothing on
 * disk; production points at a real broker.
 */
export async function startEmbeddedBroker(
  options: { host: string; port: number },
  logger: Logger,
): Promise<EmbeddedBroker> {
  // Loaded only when configured: aedes and its dependencies are ~2 MB of heap that a gateway
  // publishing to a real broker would carry for nothing.
  const { Aedes } = await import('aedes');
  const broker = await Aedes.createBroker();
  const server: Server = createServer(broker.handle);
  server.listen(options.port, options.host);
  try {
    await once(server, 'listening');
  } catch (error) {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    throw error;
  }
  const url = `mqtt://${options.host}:${options.port}`;
  logger.info({ url }, 'embedded MQTT broker listening');
  return {
    url,
    close: async () => {
      // The broker first, so that its clients are disconnected and the server can close.
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
