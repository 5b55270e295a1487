import type { ExtensionContext, ExtensionFactory } from '../../app/context.js';
import { type EpcisConfig, epcisSchema } from '../../config/integrations.js';
import type { EpcisDocumentJson, EpcisObjectEventJson } from '../../shared/events.js';
import type { Extension } from '../../shared/extension.js';
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

const built = new WeakMap<ExtensionContext, EpcisExtension>();

function build(context: ExtensionContext, settings: EpcisConfig | undefined): EpcisExtension | undefined {
  // Listed twice (the controller's list and `replay --epcis`): one of them is enough.
  if (!settings?.enabled || built.has(context)) return undefined;
  const extension = new EpcisExtension(context, settings);
  built.set(context, extension);
  return extension;
}

/** EPCIS 2.0 output as the config's `epcis` section asks; none when the section is absent or disabled. */
export const epcis: ExtensionFactory = (context) => build(context, context.config.epcis);

/**
 * EPCIS 2.0 output whatever the config says (`replay --epcis`): its `epcis` settings when it has
 * them, else the defaults (no counts, no locations). Built once per context, with `epcis`.
 */
export const epcisAlways: ExtensionFactory = (context) =>
  build(context, { ...(context.config.epcis ?? epcisSchema.parse({})), enabled: true });

/** The EPCIS extension built for this context, if any (its stats). */
export function epcisOf(context: ExtensionContext): EpcisExtension | undefined {
  return built.get(context);
}

/** Gathers every EPCIS event of a run into one EPCISDocument (`replay --epcis FILE`). */
export interface EpcisRecorder {
  /** Add it to the controller's features (after `epcis`/`epcisAlways`, or anywhere). */
  readonly feature: ExtensionFactory;
  /** After the controller stopped: every event in `seq` order, created at the clock's time of the stop. */
  document(): EpcisDocumentJson | undefined;
}

export function epcisRecorder(): EpcisRecorder {
  let result: EpcisDocumentJson | undefined;
  return {
    feature: (context) => {
      const events: EpcisObjectEventJson[] = [];
      let unsubscribe: (() => void) | undefined;
      const extension: Extension = {
        name: 'epcis-recorder',
        start() {
          unsubscribe = context.bus.on('epcis-recorder', 'epcis.event', (event) => {
            events.push(...event.document.epcisBody.eventList);
          });
        },
        stop() {
          unsubscribe?.();
          unsubscribe = undefined;
          result = epcisDocument(events, context.clock.now());
        },
      };
      return extension;
    },
    document: () => result,
  };
}
