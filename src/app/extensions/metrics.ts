import { engagementOf } from '../../domain/engagement/index.js';
import { exitMonitorOf } from '../../domain/exit-monitor/index.js';
import type { TimerHandle } from '../../shared/clock.js';
import type { ExtensionContext, ExtensionFactory } from '../context.js';
import { MetricsCollector } from '../metrics.js';
import { screensOf } from './displays.js';
import { rulesOf } from './rules.js';

/**
 * `<base>/metrics`, retained, every `mqtt.metricsIntervalMs`: the collector's counters plus what the
 * controller counts (listener failures, events built without their EPC, the store's health).
 */
export const metrics: ExtensionFactory = (context) => {
  const { mqtt, config, mode, readers, bus, store, clock } = context;
  if (!mqtt || !config.mqtt || mode === 'replay') return undefined;
  const intervalMs = config.mqtt.metricsIntervalMs;
  let collector: MetricsCollector | undefined;
  let timer: TimerHandle | undefined;
  const publish = () => {
    if (!collector) return;
    const sample = {
      ...collector.sample(),
      bus: bus.stats,
      faults: readers.faults,
      store: store.health(),
      // The store floor's counters, for an operator asking "is the siren still firing?".
      ...floorCounters(context),
    };
    mqtt.retain(mqtt.topics.metrics, sample);
    timer = clock.setTimeout(publish, intervalMs);
  };
  return {
    name: 'metrics',
    start() {
      collector = new MetricsCollector(
        readers.devices,
        () => readers.engine.stats,
        clock,
        () => store.outbox.stats(),
        () => {
          const stats = mqtt.client.stats();
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
};

function floorCounters(context: ExtensionContext): Record<string, unknown> {
  const rules = rulesOf(context);
  const exits = exitMonitorOf(context);
  const engagement = engagementOf(context);
  const screens = screensOf(context);
  return {
    ...(rules ? { rules: rules.stats } : {}),
    ...(exits ? { exitMonitor: exits.stats } : {}),
    ...(engagement ? { engagement: engagement.stats } : {}),
    ...(screens ? { displays: { failures: screens.failures } } : {}),
  };
}
