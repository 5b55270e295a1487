import type { RequestRegistry } from '../../src/mqtt/request-registry.js';
import { parseRequest } from '../../src/mqtt/request-schemas.js';

export type RequestAnswer = { ok: true; data: unknown } | { ok: false; error: string };

/**
 * Runs a registered command as the request router does (its schema, then its handler), without a
 * broker: for tests of a feature's requests. An error becomes `{ ok: false, error }`.
 */
export function requestRunner(registry: RequestRegistry) {
  return async (command: string, document: unknown): Promise<RequestAnswer> => {
    const registered = registry.get(command);
    if (!registered) throw new Error(`${command} is not registered`);
    const parsed = parseRequest(registered.schema, document);
    if (!parsed.ok) return { ok: false, error: parsed.error };
    try {
      return { ok: true, data: await (registered.handler as (request: unknown) => unknown)(parsed.value) };
    } catch (error) {
      return { ok: false, error: (error as Error).message };
    }
  };
}
