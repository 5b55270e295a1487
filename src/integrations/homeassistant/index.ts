import { defineFeature } from '../../shared/feature.js';
import { AnnouncedTopics } from './announced.js';
import { HomeAssistantExtension, type HomeAssistantSettings } from './extension.js';

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
 * announced, gets a feature that only removes them.
 */
export const homeAssistantFeature = defineFeature({
  name: 'homeassistant',
  needs: ['mqtt', 'retained', 'remoteCommands'],
  uses: ['purchases', 'audit'],
  build: (input) => {
    const { config, store, logger } = input;
    const { mqtt, retained, remoteCommands } = input.needs;
    const deps = { mqtt, retained, remoteCommands, purchases: input.uses.purchases, audit: input.uses.audit };
    const section = config.homeassistant;
    let settings: HomeAssistantSettings | undefined;
    if (section?.enabled) settings = section;
    else {
      let leftovers = false;
      try {
        leftovers = AnnouncedTopics.any(store);
      } catch (error) {
        logger.warn({ err: error }, 'cannot tell whether Home Assistant entities were announced before');
      }
      if (leftovers) settings = { enabled: false, prefix: section?.prefix ?? DEFAULT_PREFIX };
    }
    if (!settings) return undefined;
    const extension = new HomeAssistantExtension(input, deps, settings);
    return { name: 'homeassistant', start: () => extension.start(), stop: () => extension.stop() };
  },
});
