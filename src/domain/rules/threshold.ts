import type { RuleConfig } from '../../config/rules.js';
import type { Clock, TimerHandle } from '../../shared/clock.js';
import type { GatewayEvent } from '../../shared/events.js';

/** A plain decimal sent as a string (`{"temperature":"9.5"}`) compares as a number. */
const DECIMAL = /^-?[0-9]+(?:\.[0-9]+)?$/;

interface Series {
  /** The comparison held at the last numeric value. */
  holding: boolean;
  /** The last event while it holds: what the rule fires with when `forMs` has passed. */
  latest: GatewayEvent | undefined;
  timer: TimerHandle | undefined;
}

/**
 * A rule's `above`/`below` (with `forMs`) over one value series per sensor and channel. A rule fires
 * when the value crosses into the range and, with `forMs`, only once it has stayed there that long:
 * once per crossing, never again for every reading inside the range; it re-arms when the value
 * leaves the range. A value that is not a number is ignored, so the last number stands (a device that
 * reports `err` for a moment does not end nor start a crossing). Time comes from the Clock only.
 */
export class Threshold {
  private readonly series = new Map<string, Series>();

  private constructor(
    private readonly above: number | undefined,
    private readonly below: number | undefined,
    private readonly forMs: number | undefined,
    private readonly clock: Clock,
    private readonly fire: (event: GatewayEvent) => void,
  ) {}

  /** The rule's comparison, or undefined when its `when` has none. */
  static of(
    when: RuleConfig['when'],
    clock: Clock,
    fire: (event: GatewayEvent) => void,
  ): Threshold | undefined {
    if (when.above === undefined && when.below === undefined) return undefined;
    return new Threshold(when.above, when.below, when.forMs, clock, fire);
  }

  /** An event that passed the rule's other conditions. */
  observe(event: GatewayEvent): void {
    if (event.type !== 'sensor.changed') return;
    const value = numeric(event.value);
    if (value === undefined) return;
    const key = `${event.sensor}\u0000${event.channel}`;
    let series = this.series.get(key);
    if (!series) {
      series = { holding: false, latest: undefined, timer: undefined };
      this.series.set(key, series);
    }
    const holds =
      (this.above === undefined || value > this.above) && (this.below === undefined || value < this.below);
    if (!holds) {
      series.holding = false;
      series.latest = undefined;
      this.clear(series);
      return;
    }
    series.latest = event;
    if (series.holding) return;
    series.holding = true;
    if (this.forMs === undefined) {
      this.fire(event);
      return;
    }
    const held = series;
    held.timer = this.clock.setTimeout(() => {
      held.timer = undefined;
      if (held.holding && held.latest) this.fire(held.latest);
    }, this.forMs);
  }

  stop(): void {
    for (const series of this.series.values()) this.clear(series);
  }

  private clear(series: Series): void {
    if (series.timer !== undefined) this.clock.clearTimeout(series.timer);
    series.timer = undefined;
  }
}

function numeric(value: string | number): number | undefined {
  const number = typeof value === 'number' ? value : DECIMAL.test(value) ? Number(value) : Number.NaN;
  return Number.isFinite(number) ? number : undefined;
}
