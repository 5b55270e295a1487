import type { PlannedTag, ScenarioPlan } from './plan.js';
import { seededRandom } from './random.js';

/**
 * How a targeted search finds a tag that is inside, in the simulated fridge.
 *
 * `select` (the physical model): a Gen2 Select on the tag's EPC leaves that one tag answering, so a
 * search loses nothing to collisions and to the Q algorithm's empty and crowded slots (what keeps a
 * passive round with thirty tags well below certainty), may run at a higher power that reaches a tag
 * at the edge, and within its timeout runs many single-tag rounds. We count it as four passive rounds
 * of that tag's spot, independent, and never better than 99.5 %: a tag in an RF null or under a can
 * stays there however often it is asked. A dead tag is never found, a foil-wrapped one rarely.
 *
 * `pessimistic`: a search is no better than one passive round (q = p). Settling must stay right in
 * this case too; it is then merely slower.
 *
 * A search stops the continuous inventory for its duration: the stop (the module flushes its buffer),
 * one select-filtered read per tag, and the restart. Those rounds have no passive reads.
 */
export type SearchModel = 'select' | 'pessimistic';

/** Stop + restart of continuous reading, and one select-filtered read per tag (its timeout). */
export const SEARCH_OVERHEAD_MS = 300;
export const SEARCH_PER_TAG_MS = 60;
const SELECT_ROUNDS = 4;
const SELECT_CEILING = 0.995;

export interface SimulatedSearchResult {
  found: string[];
  notFound: string[];
  tookMs: number;
}

export class SimulatedSearch {
  private readonly random: () => number;
  private readonly byTag: Map<string, PlannedTag>;

  constructor(
    plan: ScenarioPlan,
    private readonly model: SearchModel,
  ) {
    this.random = seededRandom((plan.options.seed ^ 0x2c1b3c6d) >>> 0);
    this.byTag = new Map(plan.tags.map((tag) => [tag.tag, tag]));
  }

  /** Detection probability of a tag inside at `t` (ms since the capture's start); 0 when it is not. */
  detection(tag: string, t: number): number {
    const spot = this.byTag.get(tag)?.placements.find((place) => place.fromMs <= t && t < place.toMs);
    if (!spot) return 0;
    if (this.model === 'pessimistic') return spot.p;
    return Math.min(SELECT_CEILING, 1 - (1 - spot.p) ** SELECT_ROUNDS);
  }

  search(tags: readonly string[], t: number): SimulatedSearchResult {
    const found: string[] = [];
    const notFound: string[] = [];
    for (const tag of tags) {
      if (this.random() < this.detection(tag, t)) found.push(tag);
      else notFound.push(tag);
    }
    return { found, notFound, tookMs: SEARCH_OVERHEAD_MS + SEARCH_PER_TAG_MS * tags.length };
  }
}
