import { defineFeature } from '../../shared/feature.js';
import { AuditLog } from './audit-log.js';
import { registerAuditRequests } from './request.js';

declare module '../../shared/feature.js' {
  interface Services {
    /** The trail of every state-changing command, whichever way it came (MQTT, Home Assistant). */
    audit: Pick<AuditLog, 'record' | 'rememberSignature' | 'liveSignaturesAt'>;
  }
}

/**
 * The audit trail and its `audit/get`, kept for `security.auditRetentionDays`: there when commands
 * can come (a broker, and not a replay, which takes none).
 */
export const auditFeature = defineFeature({
  name: 'audit',
  needs: ['mqtt', 'remoteCommands'],
  provides: ['audit'],
  build: ({ store, clock, logger, config, requests, needs: { remoteCommands } }) => {
    if (remoteCommands.refusedBecause !== undefined) return undefined;
    const audit = new AuditLog(store, {
      clock,
      logger: logger.child({ component: 'audit' }),
      retentionDays: config.security.auditRetentionDays,
    });
    const unregister = registerAuditRequests(requests, audit);
    return {
      start: () => audit.start(),
      stop: () => {
        audit.stop();
        unregister();
      },
      provides: { audit },
    };
  },
});
