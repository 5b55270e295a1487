import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from '../../observability/logger.js';

export type Labels = Record<string, string>;
export type Sample = readonly [labels: Labels, value: number];

/** Metrics read at scrape time from counters and states kept elsewhere. */
export class Mirrors {
  private readonly failed = new Set<string>();

  constructor(
    private readonly registry: Registry,
    private readonly logger: Logger,
  ) {}

  /**
   * A metric read at scrape time: reset, then set from `read()`. A read that throws leaves the
   * metric empty for that scrape and is logged once per metric, not once per scrape.
   */
  add(
    kind: 'counter' | 'gauge',
    name: string,
    help: string,
    labelNames: string[],
    read: () => Iterable<Sample>,
  ): void {
    const collect = (apply: (labels: Labels, value: number) => void, reset: () => void) => {
      reset();
      try {
        for (const [labels, value] of read()) apply(labels, value);
      } catch (error) {
        if (this.failed.has(name)) return;
        this.failed.add(name);
        this.logger.warn({ err: error, metric: name }, 'metric not collected');
      }
    };
    const registers = [this.registry];
    if (kind === 'counter') {
      const counter: Counter<string> = new Counter({
        name,
        help,
        labelNames,
        registers,
        collect: () =>
          collect(
            (labels, value) => counter.inc(labels, value),
            () => counter.reset(),
          ),
      });
    } else {
      const gauge: Gauge<string> = new Gauge({
        name,
        help,
        labelNames,
        registers,
        collect: () =>
          collect(
            (labels, value) => gauge.set(labels, value),
            () => gauge.reset(),
          ),
      });
    }
  }
}
