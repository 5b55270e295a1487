import type { AnyFeature, ServiceName } from '../shared/feature.js';

/** A list of features that cannot be built: a service nobody provides, twice provided, or a cycle. */
export class FeatureGraphError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeatureGraphError';
  }
}

export interface FeatureOrder {
  /** Start order (stop is the reverse): providers before the features that need or use them. */
  readonly before: readonly AnyFeature[];
  /** Features that drive devices (they need a `driving` service): started once the readers run. */
  readonly after: readonly AnyFeature[];
}

/**
 * Orders features so that each comes after the providers of what it needs or uses, keeping the
 * listed order wherever the dependencies leave a choice (Kahn's algorithm, first ready in list order).
 *
 * Refused, naming the features: a needed service that neither the controller (`base`) nor any
 * listed feature provides, a service two features provide, two features of one name, a cycle. A
 * used (optional) service nobody provides is no error: the feature runs without it.
 *
 * Features that need or use a `driving` service (the devices' ports), or depend on one that does, form the
 * `after` group: they start after the readers and stop before them, so that the ports they write to
 * are open for their first and last word.
 */
export function orderFeatures(
  features: readonly AnyFeature[],
  base: ReadonlySet<ServiceName>,
  driving: ReadonlySet<ServiceName>,
): FeatureOrder {
  const provider = new Map<ServiceName, AnyFeature>();
  const names = new Set<string>();
  for (const feature of features) {
    if (names.has(feature.name)) throw new FeatureGraphError(`feature "${feature.name}" is listed twice`);
    names.add(feature.name);
    for (const service of feature.provides) {
      if (base.has(service)) {
        throw new FeatureGraphError(
          `feature "${feature.name}" provides "${service}", which the controller provides`,
        );
      }
      const other = provider.get(service);
      if (other) {
        throw new FeatureGraphError(
          `"${service}" is provided by two features: "${other.name}" and "${feature.name}"`,
        );
      }
      provider.set(service, feature);
    }
  }
  const dependsOn = new Map<AnyFeature, AnyFeature[]>();
  for (const feature of features) {
    const on: AnyFeature[] = [];
    for (const service of feature.needs as readonly ServiceName[]) {
      if (base.has(service)) continue;
      const found = provider.get(service);
      if (!found) {
        throw new FeatureGraphError(
          `feature "${feature.name}" needs "${service}", which no feature provides` +
            ` (provided: ${[...base, ...provider.keys()].sort().join(', ')})`,
        );
      }
      on.push(found);
    }
    for (const service of feature.uses as readonly ServiceName[]) {
      const found = provider.get(service);
      if (found) on.push(found);
    }
    dependsOn.set(feature, on);
  }

  const ordered: AnyFeature[] = [];
  const placed = new Set<AnyFeature>();
  while (ordered.length < features.length) {
    const ready = features.find(
      (feature) => !placed.has(feature) && (dependsOn.get(feature) ?? []).every((dep) => placed.has(dep)),
    );
    if (!ready)
      throw new FeatureGraphError(
        `features depend on each other in a cycle: ${cycleOf(features, placed, dependsOn)}`,
      );
    placed.add(ready);
    ordered.push(ready);
  }

  const drives = new Set<AnyFeature>();
  for (const feature of ordered) {
    const services = [...feature.needs, ...feature.uses] as readonly ServiceName[];
    const touchesDevices = services.some((service) => driving.has(service));
    if (touchesDevices || (dependsOn.get(feature) ?? []).some((dep) => drives.has(dep))) drives.add(feature);
  }
  return {
    before: ordered.filter((feature) => !drives.has(feature)),
    after: ordered.filter((feature) => drives.has(feature)),
  };
}

/** One cycle among the features not yet placed, as `a → b → a`. */
function cycleOf(
  features: readonly AnyFeature[],
  placed: ReadonlySet<AnyFeature>,
  dependsOn: ReadonlyMap<AnyFeature, AnyFeature[]>,
): string {
  const start = features.find((feature) => !placed.has(feature));
  const path: AnyFeature[] = [];
  let current = start;
  while (current && !path.includes(current)) {
    path.push(current);
    current = (dependsOn.get(current) ?? []).find((dep) => !placed.has(dep));
  }
  if (!current) return path.map((feature) => feature.name).join(' → ');
  const loop = path.slice(path.indexOf(current));
  return [...loop, current].map((feature) => feature.name).join(' → ');
}
