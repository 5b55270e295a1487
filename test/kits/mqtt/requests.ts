import { type GatewayCommandHandlers, registerGatewayCommands } from '../../../src/mqtt/gateway-commands.js';
import { RequestRegistry } from '../../../src/mqtt/request-registry.js';
import { RequestRouter, type RequestRouterOptions } from '../../../src/mqtt/requests.js';
import { createLogger } from '../../../src/observability/logger.js';
import { VirtualClock } from '../../../src/shared/clock.js';

/** A router over recording handlers on a virtual clock, with its log lines parsed: for the request tests. */
export const START = Date.parse('2026-11-22T10:00:00.000Z');
export const encoder = new TextEncoder();

export interface LogLine {
  level: number;
  msg: string;
  command?: string;
  transaction?: string | number | null;
  status?: string;
  durationMs?: number;
  error?: string;
}

export const DEBUG = 20;
export const INFO = 30;
export const WARN = 40;

export function setup(
  overrides: Partial<GatewayCommandHandlers> = {},
  options: Partial<RequestRouterOptions> = {},
) {
  const clock = new VirtualClock(START);
  const calls: Array<[string, unknown]> = [];
  const handlers: GatewayCommandHandlers = {
    ping: () => {
      calls.push(['ping', undefined]);
      return { pong: true };
    },
    inventoryGet: (args) => {
      calls.push(['inventoryGet', args]);
      return { zones: { fridge: ['3074257BF7194E4000001A85'] } };
    },
    readersGet: (args) => {
      calls.push(['readersGet', args]);
      return [{ id: 'door', state: 'online' }];
    },
    readersRestart: async (args) => {
      calls.push(['readersRestart', args]);
      return { restarted: args.reader };
    },
    configGet: () => {
      calls.push(['configGet', undefined]);
      return { mqtt: { url: 'mqtt://broker', password: '[redacted]' } };
    },
    outboxStats: () => {
      calls.push(['outboxStats', undefined]);
      return { depth: 0, lastSeq: 17 };
    },
    ...overrides,
  };
  const rawLines: string[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: { write: (line: string) => rawLines.push(line) },
  });
  const registry = new RequestRegistry();
  registerGatewayCommands(registry, handlers);
  const router = new RequestRouter({ registry, clock, logger, ...options });
  const logs = () => rawLines.map((line) => JSON.parse(line) as LogLine);
  return { router, registry, clock, calls, logs, rawLines };
}

export function json(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

export async function ask(router: RequestRouter, command: string, payload: Uint8Array | unknown) {
  const bytes = payload instanceof Uint8Array ? payload : json(payload);
  const response = await router.handle(command, bytes);
  return { ...response, body: JSON.parse(response.payload) as Record<string, unknown> };
}
