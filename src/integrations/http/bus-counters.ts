import type { GatewayEvent } from '../../shared/events.js';
import type { FeatureContext } from '../../shared/feature.js';

/** A label that takes the known values and at most `spare` others; any more become `other`. */
export function boundedLabel(known: Iterable<string>, spare: number): (value: string | undefined) => string {
  const allowed = new Set(known);
  let extra = 0;
  return (value) => {
    if (value === undefined || value === '') return 'none';
    if (allowed.has(value)) return value;
    if (extra >= spare) return 'other';
    extra += 1;
    allowed.add(value);
    return value;
  };
}

/** Counts by label values, the values joined in label order (the label values are bounded). */
export type LabelCounts = Map<string, { labels: Record<string, string>; count: number }>;

function add(counts: LabelCounts, labels: Record<string, string>, by = 1): void {
  const key = Object.values(labels).join('\u0000');
  const entry = counts.get(key);
  if (entry) entry.count += by;
  else counts.set(key, { labels, count: by });
}

/**
 * What the bus carried, for `/metrics`: every event by type, purchase sessions by cabinet, alarms by
 * kind. Plain counts, kept from the listener's construction (events emitted while the features before
 * it start, a session recovered at start-up, are counted too); the Prometheus side, loaded when the
 * listener starts, renders them.
 */
export class BusEventCounts {
  readonly events: LabelCounts = new Map();
  readonly sessionsStarted: LabelCounts = new Map();
  readonly sessionsEnded: LabelCounts = new Map();
  readonly sessionsRefused: LabelCounts = new Map();
  readonly alarms: LabelCounts = new Map();
  private readonly unsubscribe: () => void;

  constructor(context: FeatureContext) {
    const { config, bus } = context;
    const cabinets = config.cabinets.map((cabinet) => cabinet.id);
    const cabinetLabel = boundedLabel(cabinets, 16);
    const kindLabel = boundedLabel([], 32);
    const typeLabel = boundedLabel([], 64);
    // Every configured cabinet has its series from the start, so that rate() and increase() see the first.
    for (const cabinet of cabinets) {
      add(this.sessionsStarted, { cabinet }, 0);
      add(this.sessionsRefused, { cabinet }, 0);
      for (const outcome of ['completed', 'cancelled', 'uncertain'])
        add(this.sessionsEnded, { cabinet, outcome }, 0);
    }
    const count = (event: GatewayEvent) => {
      add(this.events, { type: typeLabel(event.type) });
      switch (event.type) {
        case 'purchase.started':
          add(this.sessionsStarted, { cabinet: cabinetLabel(event.cabinet) });
          return;
        case 'purchase.completed':
          add(this.sessionsEnded, { cabinet: cabinetLabel(event.cabinet), outcome: 'completed' });
          return;
        case 'purchase.cancelled':
          add(this.sessionsEnded, {
            cabinet: cabinetLabel(event.cabinet),
            outcome: event.confidence === 'uncertain' ? 'uncertain' : 'cancelled',
          });
          return;
        case 'purchase.refused':
          add(this.sessionsRefused, { cabinet: cabinetLabel(event.cabinet) });
          return;
        case 'security.alarm':
          add(this.alarms, { kind: kindLabel(event.kind) });
          return;
        default:
          return;
      }
    };
    this.unsubscribe = bus.on('http-metrics', '*', count);
  }

  close(): void {
    this.unsubscribe();
  }
}
