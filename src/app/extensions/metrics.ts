import type { TimerHandle } from '../../shared/clock.js';
import { defineFeature } from '../../shared/feature.js';
import { MetricsPayloads } from '../metrics.js';

/**
 * `<base>/metrics`, retained, every `mqtt.metricsIntervalMs`: the gateway's figures as the payload
 * renders them (rates since the previous one), for an operator asking "is the siren still firing?".
 */
export const metricsFeature = defineFeature({
  name: 'metrics',
  liveOnly: true,
  needs: ['retained', 'figures'],
  build: (input) => {
    const { config, clock } = input;
    const { retained, figures } = input.needs;
    if (!config.mqtt) return undefined;
    const intervalMs = config.mqtt.metricsIntervalMs;
    let payloads: MetricsPayloads | undefined;
    let timer: TimerHandle | undefined;
    const publish = () => {
      if (!payloads) return;
      retained.publish({ kind: 'metrics' }, payloads.next(figures.read()));
      timer = clock.setTimeout(publish, intervalMs);
    };
    return {
      name: 'metrics',
      start() {
        payloads = new MetricsPayloads(figures.loop.window());
        timer = clock.setTimeout(publish, intervalMs);
      },
      stop() {
        if (timer) clock.clearTimeout(timer);
        timer = undefined;
        payloads?.close();
        payloads = undefined;
      },
    };
  },
});
