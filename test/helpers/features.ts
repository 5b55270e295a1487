import { type AnyFeature, defineFeature, type FeatureContext } from '../../src/shared/feature.js';

/**
 * A feature that only looks: `onBuild` runs when the controller builds it (before anything starts),
 * so a test can listen on the bus from the first event on.
 */
export function tap(name: string, onBuild: (context: FeatureContext) => void): AnyFeature {
  return defineFeature({
    name,
    build: (context) => {
      onBuild(context);
      return { name, start() {}, stop() {} };
    },
  });
}
