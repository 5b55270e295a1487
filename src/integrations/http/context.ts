import type { FeatureContext, Services } from '../../shared/feature.js';

/** What the HTTP listener reads: the reading side, and the broker's connection when there is one. */
export interface HttpContext extends FeatureContext {
  readonly tags: Services['tags'];
  readonly mqtt: Services['mqtt'] | undefined;
  /** The request router, when requests are served (with a broker): the console's actions go through it. */
  readonly router?: Services['requestRouter'] | undefined;
  /** The purchases, when there are cabinets: the console names a consenting customer in session. */
  readonly purchases?: Services['purchases'] | undefined;
}
