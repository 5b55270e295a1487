import { AuditLog, registerAuditRequests } from '../../domain/audit/index.js';
import { inventoryOf } from '../../domain/inventory/index.js';
import { registerGatewayCommands } from '../../mqtt/gateway-commands.js';
import { loadClientKeys, SignatureVerifier } from '../../mqtt/request-signature.js';
import { RequestRouter } from '../../mqtt/requests.js';
import type { ExtensionContext, ExtensionFactory } from '../context.js';
import { gatewayCommandHandlers } from '../request-handlers.js';

const audits = new WeakMap<ExtensionContext, AuditLog>();

/**
 * The audit trail, for commands that reach the gateway another way than a request (Home Assistant's
 * lock): every state-changing command is in it, whichever way it came.
 */
export function auditOf(context: ExtensionContext): AuditLog | undefined {
  return audits.get(context);
}

/**
 * Answers `<base>/request/<command>` for every command in the registry: the gateway's own, and
 * whatever other extensions registered when they were built. Checks signed commands (the client keys
 * are read at start: an unusable key file stops the start, naming the client and the file) and keeps
 * the audit trail of every state-changing command, answered by `audit/get`.
 */
export const requests: ExtensionFactory = (context) => {
  const { mqtt, mode, requests: registry, clock, logger: parent, config } = context;
  if (!mqtt || mode === 'replay') return undefined;
  const logger = parent.child({ component: 'requests' });
  const unregister = registerGatewayCommands(
    registry,
    gatewayCommandHandlers({
      config,
      readers: context.readers,
      inventory: inventoryOf(context),
      outbox: context.store.outbox,
      clock,
      startedAt: clock.now(),
    }),
  );
  const audit = new AuditLog(context.store, {
    clock,
    logger: parent.child({ component: 'audit' }),
    retentionDays: config.security.auditRetentionDays,
  });
  audits.set(context, audit);
  const unregisterAudit = registerAuditRequests(registry, audit);
  let detach: (() => void) | undefined;
  return {
    name: 'requests',
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
      audit.start();
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
      const router = new RequestRouter({ registry, clock, logger, signatures, audit });
      const { client, topics } = mqtt;
      detach = router.attach(client.raw, {
        requestWildcard: topics.requestFilter,
        requestPrefix: `${topics.base}/request/`,
        responseTopic: (command) => topics.response(command),
      });
    },
    stop() {
      detach?.();
      detach = undefined;
      audit.stop();
      unregister();
      unregisterAudit();
    },
  };
};
