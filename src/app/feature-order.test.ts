import { describe, expect, it } from 'vitest';
import type { AnyFeature, ServiceName } from '../shared/feature.js';
import { FeatureGraphError, orderFeatures } from './feature-order.js';

/** A feature as the ordering sees it: only names matter, it is never built. */
function feature(
  name: string,
  spec: { needs?: string[]; uses?: string[]; provides?: string[] } = {},
): AnyFeature {
  return {
    name,
    liveOnly: false,
    needs: (spec.needs ?? []) as ServiceName[],
    uses: (spec.uses ?? []) as ServiceName[],
    provides: (spec.provides ?? []) as ServiceName[],
    build: () => undefined,
  };
}

const BASE = new Set(['tags', 'devices', 'mqtt'] as ServiceName[]);
const DRIVING = new Set(['devices'] as ServiceName[]);
const names = (list: readonly AnyFeature[]) => list.map((item) => item.name);

describe('orderFeatures', () => {
  it('puts each provider before the features that need or use it, else keeps the listed order', () => {
    const order = orderFeatures(
      [
        feature('rules', { needs: ['tags'], uses: ['catalog'] }),
        feature('purchases', { needs: ['tags', 'inventory'], uses: ['catalog'] }),
        feature('inventory', { uses: ['catalog'], provides: ['inventory'] }),
        feature('catalog', { provides: ['catalog'] }),
        feature('stdout'),
      ],
      BASE,
      DRIVING,
    );
    expect(names(order.before)).toEqual(['catalog', 'rules', 'inventory', 'purchases', 'stdout']);
    expect(order.after).toEqual([]);
  });

  it('starts what drives devices, and what depends on it, after the readers', () => {
    const order = orderFeatures(
      [
        feature('outputs', { needs: ['devices'], provides: ['outputs' as string] }),
        feature('panel', { uses: ['outputs'] }),
        feature('catalog', { provides: ['catalog'] }),
      ],
      BASE,
      DRIVING,
    );
    expect(names(order.before)).toEqual(['catalog']);
    expect(names(order.after)).toEqual(['outputs', 'panel']);
  });

  it('runs a feature without a used service nobody provides', () => {
    const order = orderFeatures([feature('rules', { uses: ['catalog'] })], BASE, DRIVING);
    expect(names(order.before)).toEqual(['rules']);
  });

  it('refuses a needed service nobody provides, naming the feature, the service and what is provided', () => {
    expect(() => orderFeatures([feature('purchases', { needs: ['inventory'] })], BASE, DRIVING)).toThrow(
      new FeatureGraphError(
        'feature "purchases" needs "inventory", which no feature provides (provided: devices, mqtt, tags)',
      ),
    );
  });

  it('refuses a cycle, naming it', () => {
    expect(() =>
      orderFeatures(
        [
          feature('a', { needs: ['b-service'], provides: ['a-service'] }),
          feature('b', { uses: ['c-service'], provides: ['b-service'] }),
          feature('c', { needs: ['a-service'], provides: ['c-service'] }),
        ],
        BASE,
        DRIVING,
      ),
    ).toThrow('features depend on each other in a cycle: a → b → c → a');
  });

  it('refuses a service provided twice, a base service provided again and a name listed twice', () => {
    expect(() =>
      orderFeatures(
        [feature('one', { provides: ['catalog'] }), feature('two', { provides: ['catalog'] })],
        BASE,
        DRIVING,
      ),
    ).toThrow('"catalog" is provided by two features: "one" and "two"');
    expect(() => orderFeatures([feature('mine', { provides: ['tags'] })], BASE, DRIVING)).toThrow(
      'feature "mine" provides "tags", which the controller provides',
    );
    expect(() => orderFeatures([feature('x'), feature('x')], BASE, DRIVING)).toThrow(
      'feature "x" is listed twice',
    );
  });
});
