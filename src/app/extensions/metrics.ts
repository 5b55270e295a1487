import type { TimerHandle } from '../../shared/clock.js';
import { defineFeature } from '../../shared/feature.js';
import { MetricsCollector } from '../metrics.js';

/**
 * `<base>/metrics`, retained, every `mqtt.metricsIntervalMs`: the collector's counters plus what the
 * controller counts (listener failures, events built without their EPC, the store's health) and the
 * store floor's counters, for an operator asking "is the siren still firing?".
 */
export const metricsFeature = defineFeature({
  name: 'metrics',
  liveOnly: true,
  needs: ['mqtt', 'retained', 'tags'],
  uses: ['rules', 'exitMonitor', 'engagement', 'screens'],
  build: (input) => {
    const { config, bus, store, clock } = input;
    const { mqtt, retained, tags } = input.needs;
    const { rules, exitMonitor, engagement, screens } = input.uses;
    if (!config.mqtt) return undefined;
    const intervalMs = config.mqtt.metricsIntervalMs;
    let collector: MetricsCollector | undefined;
    let timer: TimerHandle | undefined;
    const publish = () => {
      if (!collector) return;
      retained.publish(
        { kind: 'metrics' },
        {
          ...collector.sample(),
          bus: bus.stats,
          faults: tags.faults(),
          store: store.health(),
          ...(rules ? { rules: rules.stats } : {}),
          ...(exitMonitor ? { exitMonitor: exitMonitor.stats } : {}),
          ...(engagement ? { engagement: engagement.stats } : {}),
          ...(screens ? { displays: { failures: screens.failures } } : {}),
        },
      );
      timer = clock.setTimeout(publish, intervalMs);
    };
    return {
      name: 'metrics',
      start() {
        collector = new MetricsCollector(
          tags.devices(),
          () => tags.coreStats(),
          clock,
          () => store.outbox.stats(),
          () => {
            const stats = mqtt.stats();
            return { connected: stats.connected, connects: stats.connects, disconnects: stats.disconnects };
          },
        );
        timer = clock.setTimeout(publish, intervalMs);
      },
      stop() {
        if (timer) clock.clearTimeout(timer);
        timer = undefined;
        collector?.close();
        collector = undefined;
      },
    };
  },
});
