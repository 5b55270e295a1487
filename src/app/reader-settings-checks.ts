import type { ConfigProblem, ExtraCheck } from '../config/load.js';
import type { GatewayConfig } from '../config/schema.js';
import { allZones, cardReaderIds, deviceZones } from '../config/zones.js';
import { driverNamed } from '../protocols/index.js';
import { pollSilenceMs } from '../shared/decoding.js';
import { polledStalledAfterMs } from './liveness.js';
import { familySettingsProblems } from './reader-family-settings.js';

/**
 * Each family's settings (reader-family-settings.ts); then what only the driver knows of them (an
 * R2000's `target` needs a `session`, several antennas need the four-port switch), asked of the
 * driver itself so that `check-config` refuses what the reader's start-up would; and the one timing rule of a polled reader: a tag is read only
 * when the reader is asked, so a zone must not let it depart between two answers, nor while the
 * reader is hung and not yet stalled (its tags are held only from its stall threshold on).
 */
export const readerSettingsChecks: ExtraCheck[] = [
  (config) => {
    const family = familySettingsProblems(config);
    return family.length > 0 ? family : [...driverRefusals(config), ...pollsOutlastingDepartures(config)];
  },
];

function driverRefusals(config: GatewayConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  config.readers.forEach((reader, index) => {
    const driver = driverNamed(reader.driver);
    try {
      driver.startup(reader.settings);
      driver.pollPlan?.(reader.settings);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      problems.push({ path: `readers[${index}].settings`, message: error.message });
    }
  });
  return problems;
}

function pollsOutlastingDepartures(config: GatewayConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const departAfter = new Map(allZones(config).map((zone) => [zone.id, zone.departAfterMs]));
  const cards = cardReaderIds(config);
  config.readers.forEach((reader, index) => {
    let plan: ReturnType<NonNullable<ReturnType<typeof driverNamed>['pollPlan']>>;
    try {
      plan = driverNamed(reader.driver).pollPlan?.(reader.settings);
    } catch {
      return; // reported by driverRefusals
    }
    if (!plan) return;
    const longestSilenceMs = pollSilenceMs(plan);
    const silence = `${plan.everyMs} ms between polls plus up to ${longestSilenceMs - plan.everyMs} ms for an answer`;
    const heldAfterMs = reader.stalledAfterMs ?? polledStalledAfterMs(longestSilenceMs);
    for (const zone of deviceZones(reader).all) {
      const limit = departAfter.get(zone);
      if (limit === undefined) continue;
      if (limit <= longestSilenceMs) {
        // A card left on a card reader would arrive again at the next answer: a new session each
        // time the last one ends, unlocking the door for whoever comes next.
        const what = cards.has(reader.id)
          ? 'a card lying on it would depart between two answers and be presented again at the next'
          : 'its tags would depart between two answers';
        problems.push({
          path: `readers[${index}].settings.pollIntervalMs`,
          message: `${silence} is not shorter than zone "${zone}"'s departAfterMs (${limit}): ${what}`,
        });
        continue;
      }
      // A card reader is not held when it is silent: a card no longer read has been taken away.
      if (cards.has(reader.id) || limit > heldAfterMs) continue;
      const own = reader.stalledAfterMs !== undefined;
      problems.push({
        path: own ? `readers[${index}].stalledAfterMs` : `readers[${index}].settings.pollIntervalMs`,
        message: `a hung reader is stalled, and its tags held, only after ${heldAfterMs} ms of silence${own ? '' : ` (${silence}, half as long again)`}, not before zone "${zone}"'s departAfterMs (${limit}): its tags would depart while it is hung`,
      });
    }
  });
  return problems;
}
