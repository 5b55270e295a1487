import type { EpcisDocumentJson, EpcisObjectEventJson } from '../../shared/events.js';
import { type AnyFeature, defineFeature } from '../../shared/feature.js';
import { epcisDocument } from './mapping.js';

export { EpcisExtension, type EpcisStats } from './extension.js';
export { type EpcisService, epcisFeature } from './feature.js';
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
