import { expect } from 'vitest';
import { z } from 'zod';
import { AuditLog, registerAuditRequests } from '../../../src/domain/audit/index.js';
import { registerGatewayCommands } from '../../../src/mqtt/gateway-commands.js';
import { RequestRegistry } from '../../../src/mqtt/request-registry.js';
import { SignatureVerifier, signRequest } from '../../../src/mqtt/request-signature.js';
import { RequestRouter } from '../../../src/mqtt/requests.js';
import { createLogger } from '../../../src/observability/logger.js';
import { VirtualClock } from '../../../src/shared/clock.js';
import { Store } from '../../../src/store/index.js';
import { type LogLine, START } from './requests.js';

/** The request router with signed commands and the audit trail: a real store, a virtual clock. */

export const KEY = 'pos-key-0123456789abcdef0123456789abcdef';
export const OTHER_KEY = 'another-key-0123456789abcdef0123456789';
export const GATEWAY = 'gw1';
export const WINDOW_MS = 60_000;
export const CARD = '04A1B2C3D4E5F6';

const stores: Store[] = [];

/** Closes the stores `setup` opened: call it in an afterEach. */
export function closeStores(): void {
  for (const store of stores.splice(0)) store.close();
}

export function setup(options: { required?: boolean; retentionDays?: number } = {}) {
  const clock = new VirtualClock(START);
  const rawLines: string[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: { write: (line: string) => rawLines.push(line) },
  });
  const store = Store.open({ dataDir: ':memory:', clock, logger });
  stores.push(store);
  const audit = new AuditLog(store, { clock, logger, retentionDays: options.retentionDays ?? 365 });
  const registry = new RequestRegistry();
  const calls: Array<[string, unknown]> = [];
  registerGatewayCommands(registry, {
    ping: () => ({ pong: true }),
    inventoryGet: () => ({}),
    readersGet: () => [],
    readersRestart: async (args) => {
      calls.push(['readers/restart', args]);
      return { restarted: args.reader };
    },
    configGet: () => ({}),
    outboxStats: () => ({}),
  });
  registry.register(
    'catalog/set',
    { products: z.array(z.unknown()).optional() },
    (request) => {
      calls.push(['catalog/set', request]);
      return { added: request.products?.length ?? 0 };
    },
    { owner: 'catalog', changesState: true },
  );
  registry.register(
    'customers/set',
    { customers: z.array(z.unknown()).optional() },
    (request) => {
      calls.push(['customers/set', request]);
      return { set: request.customers?.length ?? 0 };
    },
    { owner: 'purchases', changesState: true },
  );
  registry.register(
    'customers/forget',
    { card: z.string().optional() },
    ({ card }) => {
      calls.push(['customers/forget', { card }]);
      throw new Error(`card ${card?.toUpperCase()} is listed in the config's customers`);
    },
    { owner: 'purchases', changesState: true },
  );
  registry.register(
    'actuators/set',
    { actuator: z.string(), value: z.string(), pulseMs: z.number().int().optional() },
    (request) => {
      calls.push(['actuators/set', request]);
      return request;
    },
    { owner: 'outputs', changesState: true },
  );
  registry.register('customers/get', {}, () => [{ card: '0500207B32' }], {
    owner: 'purchases',
    sensitive: true,
  });
  registerAuditRequests(registry, audit);
  const signatures = new SignatureVerifier({
    gateway: GATEWAY,
    keys: new Map([['pos', Buffer.from(KEY)]]),
    required: options.required ?? true,
    windowMs: WINDOW_MS,
    clock,
    onAccepted: (signature, until) => audit.rememberSignature(signature, until),
  });
  const router = new RequestRouter({ registry, clock, logger, signatures, audit });
  const send = async (command: string, payload: unknown) => {
    const bytes = typeof payload === 'string' ? payload : JSON.stringify(payload);
    const response = await router.handle(command, new TextEncoder().encode(bytes));
    return JSON.parse(response.payload) as {
      transaction: unknown;
      status: string;
      data?: unknown;
      error?: string;
    };
  };
  const sign = (
    command: string,
    payload: Record<string, unknown>,
    options: { key?: string; ts?: string | number; client?: string } = {},
  ) =>
    signRequest(
      options.key ?? KEY,
      {
        gateway: GATEWAY,
        command,
        client: options.client ?? 'pos',
        ts: options.ts ?? new Date(clock.now()).toISOString(),
      },
      payload,
    );
  let reads = 0;
  // audit/get is sensitive: signed, with a transaction of its own so that no two reads are replays.
  const trail = async (query: Record<string, unknown> = {}) => {
    const answer = await send('audit/get', sign('audit/get', { transaction: `read-${++reads}`, ...query }));
    expect(answer.status, answer.error).toBe('ok');
    return answer.data as { entries: Array<Record<string, unknown>>; more: boolean };
  };
  const logs = () => rawLines.map((line) => JSON.parse(line) as LogLine & Record<string, unknown>);
  return { clock, store, audit, registry, router, calls, send, sign, trail, logs, rawLines };
}
