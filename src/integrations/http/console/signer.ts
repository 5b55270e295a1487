import { randomUUID } from 'node:crypto';
import type { GatewayConfig } from '../../../config/schema.js';
import { loadClientKeys, signRequest } from '../../../mqtt/request-signature.js';
import type { Clock } from '../../../shared/clock.js';

/** Signs what the console forwards, as the client `http.console.client` would. */
export type ConsoleSigner = (command: string, body: Uint8Array) => Uint8Array;

/**
 * The console's own signature, when `http.console.client` names a signing client: the person has
 * shown the console's token (or sits at the Pi), the console vouches for the request with its key,
 * and the router checks it as any signed request (window, replay) and the audit log names the
 * console's client. Each request gets a fresh `transaction` when it has none, so that two equal
 * requests in one millisecond do not share a signature (the second would be refused as a replay).
 * A body that is not a JSON object is left as it is: the router refuses it with its own words.
 */
export function consoleSigner(config: GatewayConfig, clock: Clock): ConsoleSigner | undefined {
  const client = config.http?.console.client;
  if (client === undefined) return undefined;
  const listed = config.security.signedCommands.clients.filter((entry) => entry.id === client);
  const key = loadClientKeys(listed).get(client);
  if (key === undefined) {
    throw new Error(`http.console.client "${client}" is not a client of security.signedCommands.clients`);
  }
  return (command, body) => {
    let document: unknown;
    try {
      document = JSON.parse(Buffer.from(body).toString('utf8'));
    } catch {
      return body;
    }
    if (typeof document !== 'object' || document === null || Array.isArray(document)) return body;
    const payload = { transaction: randomUUID(), ...(document as Record<string, unknown>) };
    const signed = signRequest(
      key,
      { gateway: config.gatewayId, command, client, ts: new Date(clock.now()).toISOString() },
      payload,
    );
    return Buffer.from(JSON.stringify(signed), 'utf8');
  };
}
