import { defineFeature } from '../../shared/feature.js';
import { AnnouncedTopics } from './announced.js';
import type { HomeAssistantExtension, HomeAssistantSettings } from './extension.js';

const DEFAULT_PREFIX = 'homeassistant';

/**
 * Home Assistant MQTT discovery, when the config's `homeassistant` section is enabled and there is a
 * broker. A gateway whose section was turned off or removed, but whose store lists entities it
 * announced, gets a feature that only removes them. The discovery itself (entities, lock control,
 * states) is loaded when the feature starts: a gateway without Home Assistant does not load it.
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
    const chosen = settings;
    let extension: HomeAssistantExtension | undefined;
    return {
      name: 'homeassistant',
      async start() {
        const { HomeAssistantExtension } = await import('./extension.js');
        extension = new HomeAssistantExtension(input, deps, chosen);
        extension.start();
      },
      stop: () => extension?.stop(),
    };
  },
});
