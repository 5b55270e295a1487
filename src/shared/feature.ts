import type { GatewayConfig } from '../config/schema.js';
import type { Logger } from '../observability/logger.js';
import type { Store } from '../store/index.js';
import type { Clock } from './clock.js';
import type { Bus, CommandRegistry, Extension } from './extension.js';

/**
 * The services parts of the gateway offer one another, by name. The module that provides one adds
 * its entry here (declaration merging: `declare module '…/shared/feature.js' { interface Services
 * { catalog: Catalog } }`), so a feature that needs it names it and gets its type without importing
 * the provider: features depend on names, the controller on everything.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by the providers' declarations
export interface Services {}

export type ServiceName = keyof Services;

/** What every feature gets, whatever it needs: the machinery shared by all, none of it a feature's. */
export interface FeatureContext {
  readonly config: GatewayConfig;
  readonly bus: Bus;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The gateway's one database: transactions, migrations, the outbox's journal. */
  readonly store: Store;
  /** Where a feature adds the MQTT requests it answers. */
  readonly requests: CommandRegistry;
}

export interface FeatureInput<N extends ServiceName, U extends ServiceName> extends FeatureContext {
  /** The services the feature needs: all there, or it is not built. */
  readonly needs: Pick<Services, N>;
  /** The services the feature uses when they run (a catalog to name products), else undefined. */
  readonly uses: Partial<Pick<Services, U>>;
}

/** A built feature: its life cycle, and the services it said it provides. */
export interface BuiltFeature<P extends ServiceName> {
  readonly start?: () => void | Promise<void>;
  readonly stop?: () => void | Promise<void>;
  readonly provides: Pick<Services, P>;
}

/**
 * One feature of the gateway: what it needs, what it provides, and how it is built from the config.
 * `build` returns undefined when the config does not ask for the feature; its services are then
 * absent, and the features that need them are not built either.
 */
export interface Feature<N extends ServiceName = ServiceName, U extends ServiceName = ServiceName> {
  readonly name: string;
  /**
   * Only for a gateway that runs live, never in a replay: its output would be figures of virtual
   * time published by the thousand (metrics), or a port taken from the live gateway (HTTP).
   */
  readonly liveOnly: boolean;
  readonly needs: readonly N[];
  readonly uses: readonly U[];
  readonly provides: readonly ServiceName[];
  build(input: FeatureInput<N, U>): BuiltPart | undefined;
}

/** A built feature as the controller holds it: whatever it provides, checked against `provides`. */
export interface BuiltPart {
  readonly start?: () => void | Promise<void>;
  readonly stop?: () => void | Promise<void>;
  readonly provides: Partial<Services>;
}

/** A feature whose needs and uses are unknown to its holder (the controller's list). */
// biome-ignore lint/suspicious/noExplicitAny: the list holds features of every signature; each is checked where it is defined
export type AnyFeature = Feature<any, any>;

interface FeatureSpec<N extends ServiceName, U extends ServiceName, P extends ServiceName> {
  readonly name: string;
  readonly needs?: readonly N[];
  readonly uses?: readonly U[];
  readonly provides?: readonly P[];
  readonly liveOnly?: boolean;
  /** A feature that provides nothing may return a plain extension; one that provides must say what. */
  build(input: FeatureInput<N, U>): ([P] extends [never] ? Extension : never) | BuiltFeature<P> | undefined;
}

/**
 * Declares a feature, checking at compile time that `build` returns what `provides` names. A build
 * that provides nothing may return a plain `{ name, start, stop }` extension.
 */
export function defineFeature<
  N extends ServiceName = never,
  U extends ServiceName = never,
  P extends ServiceName = never,
>(spec: FeatureSpec<N, U, P>): Feature<N, U> {
  return {
    name: spec.name,
    liveOnly: spec.liveOnly ?? false,
    needs: spec.needs ?? [],
    uses: spec.uses ?? [],
    provides: spec.provides ?? [],
    build(input) {
      const built = spec.build(input);
      if (built === undefined) return undefined;
      if ('provides' in built) return built;
      const extension = built as Extension;
      return { start: () => extension.start(), stop: () => extension.stop(), provides: {} };
    },
  };
}
