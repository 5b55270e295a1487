import type { EpcisDocumentJson, EpcisObjectEventJson } from '../../shared/events.js';
import { type AnyFeature, defineFeature } from '../../shared/feature.js';
import { EpcisExtension } from './extension.js';
import { epcisDocument } from './mapping.js';

export { EpcisExtension, type EpcisStats } from './extension.js';
export {
  CBV,
  cycleCountEvent,
  doorEvent,
  doorReadPointFor,
  EPCIS_CONTEXT,
  type EpcisObjects,
  EVENT_ID_NAMESPACE,
  type EventPlace,
  type EventStamp,
  epcisDocument,
  eventIdFor,
  gtinClass,
  objectsOf,
  saleEvent,
  timeZoneOffset,
  uuidV5,
} from './mapping.js';

declare module '../../shared/feature.js' {
  interface Services {
    /** What the EPCIS output counted. */
    epcis: Pick<EpcisExtension, 'stats'>;
  }
}

/** EPCIS 2.0 output as the config's `epcis` section asks; not built when it is absent or disabled. */
export const epcisFeature = defineFeature({
  name: 'epcis',
  needs: ['tags'],
  uses: ['catalog', 'inventory'],
  provides: ['epcis'],
  build: (input) => {
    const settings = input.config.epcis;
    if (!settings?.enabled) return undefined;
    const { catalog, inventory } = input.uses;
    const epcis = new EpcisExtension(
      { context: input, tags: input.needs.tags, catalog, inventory },
      settings,
    );
    return { start: () => epcis.start(), stop: () => epcis.stop(), provides: { epcis } };
  },
});

/** Gathers every EPCIS event of a run into one EPCISDocument (`replay --epcis FILE`). */
export interface EpcisRecorder {
  /** Add it to the controller's features (with `epcis` enabled in the config). */
  readonly feature: AnyFeature;
  /** After the controller stopped: every event in `seq` order, created at the clock's time of the stop. */
  document(): EpcisDocumentJson | undefined;
}

export function epcisRecorder(): EpcisRecorder {
  let result: EpcisDocumentJson | undefined;
  return {
    feature: defineFeature({
      name: 'epcis-recorder',
      build: ({ bus, clock }) => {
        const events: EpcisObjectEventJson[] = [];
        let unsubscribe: (() => void) | undefined;
        return {
          name: 'epcis-recorder',
          start() {
            unsubscribe = bus.on('epcis-recorder', 'epcis.event', (event) => {
              events.push(...event.document.epcisBody.eventList);
            });
          },
          stop() {
            unsubscribe?.();
            unsubscribe = undefined;
            result = epcisDocument(events, clock.now());
          },
        };
      },
    }),
    document: () => result,
  };
}
