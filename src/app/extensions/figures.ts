import { defineFeature } from '../../shared/feature.js';
import { GatewayFigures } from '../figures.js';

declare module '../../shared/feature.js' {
  interface Services {
    /** The gateway's figures, for whatever renders them (`<base>/metrics`, `/metrics`). */
    figures: GatewayFigures;
  }
}

/**
 * The one collector of the gateway's figures: the readers' and the core's counters, the bus, the
 * store and its outbox, the broker connection, memory, the event loop, and what the features that
 * count something say about themselves.
 */
export const figuresFeature = defineFeature({
  name: 'figures',
  // Only what is rendered live reads it (`<base>/metrics`, `/metrics`).
  liveOnly: true,
  needs: ['tags'],
  uses: ['mqtt', 'rules', 'exitMonitor', 'engagement', 'screens'],
  provides: ['figures'],
  build: ({
    clock,
    bus,
    store,
    needs: { tags },
    uses: { mqtt, rules, exitMonitor, engagement, screens },
  }) => {
    const figures = new GatewayFigures({
      clock,
      tags,
      bus,
      store,
      broker: mqtt,
      features: () => ({
        ...(rules ? { rules: rules.stats } : {}),
        ...(exitMonitor ? { exitMonitor: exitMonitor.stats } : {}),
        ...(engagement ? { engagement: engagement.stats } : {}),
        ...(screens ? { displays: { failures: screens.failures } } : {}),
      }),
    });
    return { provides: { figures } };
  },
});
