import type { ExtensionFactory } from '../../app/context.js';
import { AnnouncedTopics } from './announced.js';
import { HomeAssistantExtension } from './extension.js';

export { AnnouncedTopics, HOME_ASSISTANT_MIGRATIONS } from './announced.js';
export { CabinetStates, type DoorState, type LockState } from './cabinet-state.js';
export {
  ALARM_EVENT_TYPES,
  type Component,
  type DiscoveryEntity,
  type DiscoveryInput,
  discoveryEntities,
  GATEWAY_VERSION,
  ID_PREFIX,
  nodeIdOf,
  ORIGIN_NAME,
  PURCHASE_EVENT_TYPES,
  type StateTopics,
  stateTopics,
  stockZones,
  topicSafe,
} from './discovery.js';
export { alarmPayload, type HaEventPayload, purchasePayload } from './events.js';
export { HomeAssistantExtension, type HomeAssistantSettings } from './extension.js';
export {
  HOME_ASSISTANT_REASON,
  LOCK_AUDIT_FIELDS,
  type LockCommand,
  LockControl,
  type LockOutcome,
  type LockResult,
  lockAuditRow,
  parseLockCommand,
} from './lock-control.js';

const DEFAULT_PREFIX = 'homeassistant';

/**
 * Home Assistant MQTT discovery, when the config's `homeassistant` section is enabled and there is a
 * broker. A gateway whose section was turned off or removed, but whose store lists entities it
 * announced, gets an extension that only removes them.
 */
const built = new WeakSet<object>();

export const homeAssistant: ExtensionFactory = (context) => {
  // Built in, and maybe listed again by an integrator in extraFeatures: one per controller.
  if (built.has(context)) return undefined;
  built.add(context);
  const { mqtt, config, store, logger } = context;
  if (!mqtt) return undefined;
  const section = config.homeassistant;
  if (section?.enabled) return new HomeAssistantExtension(context, mqtt, section);
  let leftovers = false;
  try {
    leftovers = AnnouncedTopics.any(store);
  } catch (error) {
    logger.warn({ err: error }, 'cannot tell whether Home Assistant entities were announced before');
  }
  return leftovers
    ? new HomeAssistantExtension(context, mqtt, { enabled: false, prefix: section?.prefix ?? DEFAULT_PREFIX })
    : undefined;
};
