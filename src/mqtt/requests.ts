import type { MqttClient } from 'mqtt';
import type { Logger } from '../observability/logger.js';
import type { Clock } from '../shared/clock.js';
import { type RequestCaller, UNSIGNED_CALLER } from '../shared/request-caller.js';
import { RequestRefusal } from '../shared/request-refusal.js';
import { attachRouter } from './request-attach.js';
import {
  type AnswerScope,
  auditOutcome,
  decodeJson,
  echoableTransaction,
  type Outcome,
  responseTopicOutside,
  serialise,
  truncate,
} from './request-outcome.js';
import type { RegisteredCommand, RequestRegistry } from './request-registry.js';
import { parseRequest, type Transaction } from './request-schemas.js';
import { type SignatureCheck, SignatureVerifier } from './request-signature.js';
import type { GroupTopics } from './topics.js';

export interface RequestRouterOptions {
  /** The commands it answers; extensions may add theirs until the router is attached. */
  registry: RequestRegistry;
  clock: Clock;
  logger: Logger;
  /** Larger payloads are refused before being decoded. Default 64 KiB. */
  maxPayloadBytes?: number;
  /** A handler still running after this gets an error response (its result is then discarded). Default 30 s. */
  handlerTimeoutMs?: number;
  /**
   * Checks signed requests (request-signature.ts). Without it a request carrying signature fields is
   * refused (there is no key to check it with) and unsigned ones are accepted.
   */
  signatures?: SignatureVerifier;
  /** Told of every request to a state-changing command, accepted or refused, once it is answered. */
  audit?: RequestAudit;
  /** The gateway's id, named in its answers to group requests. Default: none (`""`). */
  gateway?: string;
}

/** One request to a state-changing command, as the router tells the audit. */
export interface RequestAuditEntry {
  /** When it was answered (the Clock). */
  at: number;
  command: string;
  /** The command's own field names: any other key of the payload is not one of its fields. */
  fields: readonly string[];
  /** The client it claimed to come from (null: unsigned, or a payload that could not be decoded). */
  client: string | null;
  /** Whether that client's signature was checked and found good. */
  verified: boolean;
  transaction: Transaction | null;
  /** `ok`; `refused: <why>` when the handler did not run; `error: <message>` when it ran and failed. */
  outcome: string;
  /** The group it was addressed to (`<baseTopic>/groups/<group>/request/...`); absent for this gateway's own. */
  group?: string;
  /**
   * The decoded request (undefined when it was too large or not JSON), for the audit to summarise:
   * it may hold personal data (card ids, customer references) and is never to be stored as it is.
   */
  payload: unknown;
}

/** Where the audit trail goes (domain/audit's AuditLog); `record` should not throw, and is guarded anyway. */
export interface RequestAudit {
  record(entry: RequestAuditEntry): void;
}

/** The MQTT 5 properties of a request that shape its response. */
export interface RequestProperties {
  responseTopic?: string;
  correlationData?: Uint8Array;
}

export interface RequestResponse {
  /** `undefined` = the default `<base>/response/<command>`. */
  topic: string | undefined;
  payload: string;
  properties?: { correlationData: Uint8Array };
}

export interface RequestTopics {
  /** `<base>/request/#` */
  requestWildcard: string;
  /** `<base>/request/` */
  requestPrefix: string;
  responseTopic(command: string): string;
  /** `<base>`, the only place responses go (default: what `requestPrefix` is `<base>/request/` of). */
  base?: string;
  /** The groups the gateway belongs to: their requests are answered too, each on its group's topics. */
  groups?: readonly GroupTopics[];
}

export const DEFAULT_MAX_REQUEST_BYTES = 64 * 1024;
export const DEFAULT_HANDLER_TIMEOUT_MS = 30_000;

/**
 * Answers `<base>/request/<command>` on `<base>/response/<command>`. Whatever arrives (garbage,
 * huge payloads, unknown commands, a handler that throws or hangs) gets exactly one JSON response
 * and one log line; nothing here throws into the MQTT client's event loop.
 */
export class RequestRouter {
  private readonly registry: RequestRegistry;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly maxPayloadBytes: number;
  private readonly handlerTimeoutMs: number;
  private readonly signatures: SignatureVerifier | undefined;
  private readonly audit: RequestAudit | undefined;
  private readonly gateway: string;

  constructor(options: RequestRouterOptions) {
    this.registry = options.registry;
    this.clock = options.clock;
    this.logger = options.logger;
    this.maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_MAX_REQUEST_BYTES;
    this.handlerTimeoutMs = options.handlerTimeoutMs ?? DEFAULT_HANDLER_TIMEOUT_MS;
    this.signatures = options.signatures;
    this.audit = options.audit;
    this.gateway = options.gateway ?? '';
    if (!Number.isInteger(this.maxPayloadBytes) || this.maxPayloadBytes < 0) {
      throw new RangeError(`maxPayloadBytes must be a non-negative integer, got ${this.maxPayloadBytes}`);
    }
    if (!(this.handlerTimeoutMs > 0)) {
      throw new RangeError(`handlerTimeoutMs must be positive, got ${this.handlerTimeoutMs}`);
    }
  }

  /**
   * Runs one request and builds its response. Never rejects. With `base`, an MQTT 5 response topic
   * outside it is refused: the request does not run, and the error goes to the default topic. With
   * `group`, the request came on that group's topic (`base` is then the group's): its signature must
   * be for the group, and the answer and the audit name the group (and the answer this gateway).
   */
  async handle(
    command: string,
    payload: Uint8Array,
    properties: RequestProperties = {},
    base?: string,
    group?: string,
  ): Promise<RequestResponse> {
    const startedAt = this.clock.now();
    const scope: AnswerScope | undefined = group === undefined ? undefined : { gateway: this.gateway, group };
    const registered = this.registry.get(command);
    let transaction: Transaction | null = null;
    let outcome: Outcome;
    let caller = UNSIGNED_CALLER;
    let request: unknown;
    const outside = responseTopicOutside(properties.responseTopic, base);
    if (outside !== undefined) properties = { ...properties, responseTopic: undefined };
    const limit = this.maxPayloadBytesOf(command);
    if (payload.byteLength > limit) {
      outcome = { ok: false, error: `payload too large: ${payload.byteLength} bytes, limit ${limit}` };
    } else {
      const document = decodeJson(payload);
      transaction = document.ok ? echoableTransaction(document.value) : null;
      if (outside !== undefined) {
        // An ACL that lets a client publish requests would otherwise let it make the gateway publish
        // anywhere the gateway may (another gateway's topics, a bridge's), under the gateway's name.
        this.logger.warn(
          { command: truncate(command), responseTopic: truncate(outside) },
          'MQTT 5 response topic outside the base refused',
        );
        outcome = {
          ok: false,
          error: `response topic ${JSON.stringify(truncate(outside))} refused: responses are published only under ${base}/`,
        };
      } else if (!registered) {
        outcome = {
          ok: false,
          error: `unknown command ${JSON.stringify(truncate(command))}; known: ${this.registry.names().join(', ')}`,
        };
      } else if (!document.ok) {
        outcome = { ok: false, error: 'payload is not valid JSON' };
      } else {
        request = document.value;
        ({ outcome, caller } = await this.run(registered, document.value, group));
      }
    }

    const serialised = serialise(transaction, outcome, scope);
    if (registered?.changesState) {
      this.record({
        at: this.clock.now(),
        command: registered.command,
        fields: registered.fields,
        client: caller.client,
        verified: caller.verified,
        transaction,
        outcome: auditOutcome(serialised.outcome),
        payload: request,
        ...(group === undefined ? {} : { group }),
      });
    }
    this.logOutcome(command, transaction, serialised.outcome, this.clock.now() - startedAt, caller, group);
    return this.respond(serialised.payload, properties);
  }

  /** How large a request to `command` may be: its own limit where it has one (a CSV import), else the router's. */
  maxPayloadBytesOf(command: string): number {
    return this.registry.get(command)?.maxPayloadBytes ?? this.maxPayloadBytes;
  }

  /**
   * Subscribes to the request topics, the gateway's own and its groups' (QoS 1), and answers each
   * request (request-attach.ts). Returns a function that stops listening.
   */
  attach(client: MqttClient, topics: RequestTopics): () => void {
    return attachRouter(this, client, topics, this.logger);
  }

  /**
   * Signature first (an unauthenticated sender learns nothing about the payload's rules), then the
   * schema, `expiresAt`, and the handler, which never sees the signature fields but gets the caller.
   */
  private async run(
    registered: RegisteredCommand,
    document: unknown,
    group: string | undefined,
  ): Promise<{ outcome: Outcome; caller: RequestCaller }> {
    let caller = UNSIGNED_CALLER;
    if (registered.changesState || registered.sensitive || SignatureVerifier.carriesSignature(document)) {
      const check = this.checkSignature(registered, document, group);
      caller = { client: check.client, verified: check.verified };
      if (!check.ok) return { outcome: { ok: false, error: check.error }, caller };
    }
    const parsed = parseRequest(registered.schema, document);
    if (!parsed.ok) return { outcome: { ok: false, error: parsed.error }, caller };
    const { expiresAt } = parsed.value;
    if (expiresAt !== undefined && Date.parse(expiresAt) < this.clock.now()) {
      return { outcome: { ok: false, error: `expired: expiresAt ${expiresAt} is in the past` }, caller };
    }
    const {
      client: _client,
      ts: _ts,
      signature: _signature,
      ...fields
    } = parsed.value as Record<string, unknown>;
    const handler = registered.handler as (request: unknown, caller: RequestCaller) => unknown;
    // Who sent it as the signature check found (never the payload's claim); a copy, so that a
    // handler cannot change what the audit records.
    const checked: RequestCaller = { client: caller.client, verified: caller.verified };
    try {
      // Through `then` so that a handler throwing synchronously fails like one that rejects.
      const work = Promise.resolve().then(() => handler(fields, checked));
      return { outcome: { ok: true, data: await this.withTimeout(work) }, caller };
    } catch (error) {
      return {
        outcome: {
          ok: false,
          error: error instanceof Error ? error.message : String(error),
          handlerFailed: true,
          ...(error instanceof RequestRefusal ? { details: error.details } : {}),
        },
        caller,
      };
    }
  }

  /** Never throws: whatever goes wrong in a check is a refusal, not an unhandled rejection. */
  private checkSignature(
    registered: RegisteredCommand,
    document: unknown,
    group: string | undefined,
  ): SignatureCheck {
    if (this.signatures) {
      try {
        return this.signatures.check(
          registered.command,
          document,
          registered.changesState || registered.sensitive,
          group,
        );
      } catch (error) {
        this.logger.warn({ command: registered.command, err: String(error) }, 'signature check failed');
        return { ok: false, client: null, verified: false, error: 'signature: could not be checked' };
      }
    }
    if (!SignatureVerifier.carriesSignature(document)) return { ok: true, client: null, verified: false };
    return {
      ok: false,
      client: null,
      verified: false,
      error: 'signature: this gateway has no signing clients configured',
    };
  }

  /** An audit that fails (a full disk) is logged with what it would have said; the answer goes out. */
  private record(entry: RequestAuditEntry): void {
    if (!this.audit) return;
    try {
      this.audit.record(entry);
    } catch (error) {
      const { payload: _payload, ...said } = entry;
      this.logger.error({ ...said, err: String(error) }, 'audit entry not written');
    }
  }

  private withTimeout<T>(work: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = this.clock.setTimeout(
        () => reject(new Error(`no answer within ${this.handlerTimeoutMs} ms`)),
        this.handlerTimeoutMs,
      );
      work.then(
        (value) => {
          this.clock.clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          this.clock.clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  private respond(payload: string, properties: RequestProperties): RequestResponse {
    const response: RequestResponse = { topic: this.responseTopicOf(properties.responseTopic), payload };
    if (properties.correlationData !== undefined) {
      response.properties = { correlationData: properties.correlationData };
    }
    return response;
  }

  /** A response topic the broker would reject (wildcards, empty) falls back to the default one. */
  private responseTopicOf(requested: string | undefined): string | undefined {
    if (requested === undefined) return undefined;
    if (requested === '' || /[+#]/.test(requested) || requested.includes('\u0000')) {
      this.logger.warn(
        { responseTopic: truncate(requested) },
        'invalid MQTT 5 response topic; using the default',
      );
      return undefined;
    }
    return requested;
  }

  private logOutcome(
    command: string,
    transaction: Transaction | null,
    outcome: Outcome,
    durationMs: number,
    caller: RequestCaller,
    group: string | undefined,
  ): void {
    const fields = {
      command: truncate(command),
      ...(group === undefined ? {} : { group }),
      transaction,
      ...(caller.client === null ? {} : { client: caller.client, verified: caller.verified }),
      status: outcome.ok ? 'ok' : 'error',
      durationMs,
      ...(outcome.ok ? {} : { error: outcome.error }),
    };
    if (!outcome.ok && outcome.handlerFailed) this.logger.warn(fields, 'MQTT request handler failed');
    // An answered request at debug: a dashboard polling every few seconds would fill the log at
    // info (commands that change state are in the audit log whatever the level). A refused one
    // stays at info: somebody is sending something wrong.
    else
      this.logger[outcome.ok ? 'debug' : 'info'](
        fields,
        group === undefined ? 'MQTT request' : 'MQTT group request',
      );
  }
}
