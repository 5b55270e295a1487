import { Counter, type Registry } from 'prom-client';
import type { GatewayEvent } from '../../shared/events.js';
import type { FeatureContext } from '../../shared/feature.js';
import { boundedLabel } from './mirror.js';

/** Counters fed from the bus: every event by type, purchase sessions by cabinet, alarms by kind. */
export function countBusEvents(context: FeatureContext, registry: Registry): () => void {
  const { config, bus } = context;
  const cabinets = config.cabinets.map((cabinet) => cabinet.id);
  const cabinetLabel = boundedLabel(cabinets, 16);
  const kindLabel = boundedLabel([], 32);
  const typeLabel = boundedLabel([], 64);
  const events = new Counter({
    name: 'rfid_gateway_events_total',
    help: 'Events put on the bus (and, with a broker, in the outbox), by type',
    labelNames: ['type'],
    registers: [registry],
  });
  const started = new Counter({
    name: 'rfid_gateway_sessions_started_total',
    help: 'Purchase sessions opened (purchase.started), by cabinet',
    labelNames: ['cabinet'],
    registers: [registry],
  });
  const ended = new Counter({
    name: 'rfid_gateway_sessions_ended_total',
    help: 'Purchase sessions ended, by cabinet and outcome: completed, cancelled, uncertain (not charged: undecided)',
    labelNames: ['cabinet', 'outcome'],
    registers: [registry],
  });
  const refused = new Counter({
    name: 'rfid_gateway_sessions_refused_total',
    help: 'Cards or requests that did not open a session (purchase.refused), by cabinet',
    labelNames: ['cabinet'],
    registers: [registry],
  });
  const alarms = new Counter({
    name: 'rfid_gateway_alarms_total',
    help: 'security.alarm events, by kind',
    labelNames: ['kind'],
    registers: [registry],
  });
  // Every configured cabinet has its series from the start, so that rate() and increase() see the first.
  for (const cabinet of cabinets) {
    started.inc({ cabinet }, 0);
    refused.inc({ cabinet }, 0);
    for (const outcome of ['completed', 'cancelled', 'uncertain']) ended.inc({ cabinet, outcome }, 0);
  }
  const count = (event: GatewayEvent) => {
    events.inc({ type: typeLabel(event.type) });
    switch (event.type) {
      case 'purchase.started':
        started.inc({ cabinet: cabinetLabel(event.cabinet) });
        return;
      case 'purchase.completed':
        ended.inc({ cabinet: cabinetLabel(event.cabinet), outcome: 'completed' });
        return;
      case 'purchase.cancelled':
        ended.inc({
          cabinet: cabinetLabel(event.cabinet),
          outcome: event.confidence === 'uncertain' ? 'uncertain' : 'cancelled',
        });
        return;
      case 'purchase.refused':
        refused.inc({ cabinet: cabinetLabel(event.cabinet) });
        return;
      case 'security.alarm':
        alarms.inc({ kind: kindLabel(event.kind) });
        return;
      default:
        return;
    }
  };
  // From construction: events emitted while the features before this one start (a session
  // recovered at start-up) are counted too.
  return bus.on('http-metrics', '*', count);
}
