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
export { homeAssistantFeature } from './feature.js';
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
