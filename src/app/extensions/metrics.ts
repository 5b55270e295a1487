import type { TimerHandle } from '../../shared/clock.js';
import type { ExtensionFactory } from '../context.js';
import { MetricsCollector } from '../metrics.js';

/**
 * `<base>/metrics`, retained, every `mqtt.metricsIntervalMs`: the collector's counters plus what the
 * controller counts (listener failures, events built without their EPC, the store's health).
 */
export const metrics: ExtensionFactory = ({ mqtt, config, mode, readers, bus, store, clock }) => {
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
