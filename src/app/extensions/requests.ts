import { registerGatewayCommands } from '../../mqtt/gateway-commands.js';
import type { RequestRegistry } from '../../mqtt/request-registry.js';
import { loadClientKeys, SignatureVerifier } from '../../mqtt/request-signature.js';
import { DEFAULT_MAX_REQUEST_BYTES, type RequestResponse, RequestRouter } from '../../mqtt/requests.js';
import { defineFeature } from '../../shared/feature.js';
import { gatewayCommandHandlers } from '../request-handlers.js';

declare module '../../shared/feature.js' {
  interface Services {
    /** Every command registered so far, to answer requests with. */
    registry: RequestRegistry;
    /**
     * Runs one request as if it came over MQTT (signature, schema, audit, the handler) and gives its
     * response: the store console's actions take this path, never one of their own.
     */
    requestRouter: LocalRequests;
  }
}

export interface LocalRequests {
  handle(command: string, payload: Uint8Array): Promise<RequestResponse>;
  /** How large a request to `command` may be (a carrier such as HTTP reads no more than this). */
  maxPayloadBytes(command: string): number;
}

/**
 * Answers `<base>/request/<command>` (and the requests to its groups, `mqtt.groups`) for every
 * command in the registry: the gateway's own, and whatever other features registered when they were built. Checks signed commands (the client keys
 * are read at start: an unusable key file stops the start, naming the client and the file) and
 * writes every state-changing command to the audit trail.
 */
export const requestsFeature = defineFeature({
  name: 'requests',
  needs: ['mqtt', 'registry', 'audit', 'tags', 'devices', 'remoteCommands'],
  uses: ['inventory'],
  provides: ['requestRouter'],
  build: (input) => {
    const { clock, logger: parent, config, store } = input;
    const { mqtt, registry, audit, tags, devices, remoteCommands } = input.needs;
    if (remoteCommands.refusedBecause !== undefined) return undefined;
    const logger = parent.child({ component: 'requests' });
    const unregister = registerGatewayCommands(
      registry,
      gatewayCommandHandlers({
        config,
        tags,
        devices,
        inventory: input.uses.inventory,
        outbox: store.outbox,
        clock,
        startedAt: clock.now(),
      }),
    );
    let detach: (() => void) | undefined;
    let running: RequestRouter | undefined;
    const local: LocalRequests = {
      handle: (command, payload) => {
        if (!running) return Promise.reject(new Error('requests are not served yet'));
        return running.handle(command, payload);
      },
      maxPayloadBytes: (command) =>
        running?.maxPayloadBytesOf(command) ??
        registry.get(command)?.maxPayloadBytes ??
        DEFAULT_MAX_REQUEST_BYTES,
    };
    return {
      name: 'requests',
      provides: { requestRouter: local },
      start() {
        const signed = config.security.signedCommands;
        const keys = loadClientKeys(signed.clients, logger);
        const signatures = new SignatureVerifier({
          gateway: config.gatewayId,
          keys,
          required: signed.required,
          windowMs: signed.windowMs,
          clock,
          onAccepted: (signature, untilMs) => audit.rememberSignature(signature, untilMs),
        });
        // Signatures accepted before a restart stay refused until their window ends.
        for (const { signature, untilMs } of audit.liveSignaturesAt(clock.now())) {
          signatures.remember(signature, untilMs);
        }
        if (signed.required && keys.size === 0) {
          logger.warn(
            'signed commands are required but no client is configured: every state-changing command is refused',
          );
        } else if (signed.required || keys.size > 0) {
          logger.info(
            { required: signed.required, clients: [...keys.keys()], windowMs: signed.windowMs },
            'signed commands',
          );
        }
        const router = new RequestRouter({
          registry,
          clock,
          logger,
          signatures,
          audit,
          gateway: config.gatewayId,
        });
        running = router;
        detach = mqtt.serve(router);
      },
      stop() {
        running = undefined;
        detach?.();
        detach = undefined;
        unregister();
      },
    };
  },
});
