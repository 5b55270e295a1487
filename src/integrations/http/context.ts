import type { FeatureContext, Services } from '../../shared/feature.js';

/** What the HTTP listener reads: the reading side, and the broker's connection when there is one. */
export interface HttpContext extends FeatureContext {
  readonly tags: Services['tags'];
  readonly mqtt: Services['mqtt'] | undefined;
  /** The request router, when requests are served (with a broker): the console's actions go through it. */
  readonly router?: Services['requestRouter'] | undefined;
  /** What each display shows now, for the console's previews (absent without displays). */
  readonly screens?: Services['screens'] | undefined;
  /** The alarm book, when it runs: the console's open alarms come from it, across restarts. */
  readonly alarms?: Services['alarms'] | undefined;
  /** The purchases, when there are cabinets: the console names a consenting customer in session. */
  readonly purchases?: Services['purchases'] | undefined;
}
