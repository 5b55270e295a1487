import type { TaggedItem } from '../shared/commerce.js';
import type { GatewayEvent } from '../shared/events.js';

/**
 * One event as a line a person reads at a terminal (`npm start`); pipes get the JSON lines of the
 * contract instead. Amounts are printed from minor units by string arithmetic, never via floats.
 */
export function eventText(
  event: GatewayEvent,
  formatPrice: (amount: number, currency: string) => string,
): string {
  const time = event.ts.slice(11, 23);
  const head = `${time}  #${event.seq}  ${event.type.padEnd(19)} `;
  const item = (entry: TaggedItem) => entry.name ?? entry.sku ?? entry.tag;
  switch (event.type) {
    case 'tag.arrived':
    case 'tag.departed':
    case 'tag.present':
      return `${head}${event.zone}  ${event.tag}${event.epc ? `  ${event.epc.uri}` : ''}`;
    case 'tag.moved':
      return `${head}${event.from} → ${event.to}${event.direction ? ` (${event.direction})` : ''}  ${event.tag}`;
    case 'sensor.changed':
      return `${head}${event.sensor}.${event.channel} = ${event.value}`;
    case 'reader.status':
      return `${head}${event.reader} ${event.state}${event.reason ? ` (${event.reason})` : ''}`;
    case 'actuator.status':
      return `${head}${event.actuator} ${event.state}: ${event.reason}`;
    case 'actuator.changed':
      return `${head}${event.actuator} = ${event.value}${event.pulseMs ? ` for ${event.pulseMs} ms` : ''}`;
    case 'purchase.started':
      return `${head}${event.cabinet}: session ${event.session} for ${event.customer} (${event.via})`;
    case 'purchase.completed': {
      const lines = event.items.map(
        (entry) =>
          `      ${item(entry).padEnd(32)} ${formatPrice(entry.unitPrice ?? 0, event.currency).padStart(10)}`,
      );
      const total = `      ${'TOTAL'.padEnd(32)} ${formatPrice(event.total, event.currency).padStart(10)}`;
      const returned =
        event.returned.length > 0 ? [`      returned: ${event.returned.map(item).join(', ')}`] : [];
      const weight = event.evidence?.weight;
      const weighed =
        weight?.removedG !== undefined && weight.expectedG !== undefined
          ? [
              `      weighed: ${weight.removedG} g left, the tags say ${weight.expectedG} g (± ${weight.windowG} g)`,
            ]
          : weight
            ? [`      weighed: not used (${weight.reason ?? weight.status})`]
            : [];
      return [
        `${head}${event.cabinet}: receipt for session ${event.session}`,
        ...lines,
        total,
        ...returned,
        ...weighed,
      ].join('\n');
    }
    case 'purchase.cancelled':
      return `${head}${event.cabinet}: session ${event.session} cancelled (${event.reason}${
        event.reasons ? `: ${event.reasons.join('; ')}` : ''
      })`;
    case 'purchase.resolved':
      return `${head}${event.cabinet}: session ${event.session} resolved by ${event.resolvedBy}: ${
        event.items.map(item).join(', ') || 'nothing'
      } charged, ${formatPrice(event.total, event.currency)}`;
    case 'purchase.refused':
      return `${head}${event.cabinet}: refused (${event.reason})`;
    case 'security.alarm':
      return `${head}${event.kind}${event.cabinet ? ` at ${event.cabinet}` : ''}${event.tag ? ` ${event.tag}` : ''}`;
    case 'alarm.acknowledged': {
      const where = event.cabinet ? ` at ${event.cabinet}` : event.door ? ` at ${event.door}` : '';
      return `${head}${event.kind}${where} acknowledged by ${event.by}`;
    }
    case 'inventory.changed':
      return `${head}${event.zone}: ${event.count} items (+${event.added.length} -${event.removed.length})${
        event.stale ? ` stale: ${event.stale}` : ''
      }`;
    default:
      return `${head}${JSON.stringify(event).slice(0, 160)}`;
  }
}
