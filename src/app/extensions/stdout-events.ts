import type { GatewayConfig } from '../../config/schema.js';
import { cardReaderIds } from '../../config/zones.js';
import { formatPrice } from '../../domain/catalog/money.js';
import type { GatewayEvent } from '../../shared/events.js';
import { defineFeature } from '../../shared/feature.js';
import { cardFields, REDACTED } from '../../shared/redaction.js';
import { eventText } from '../event-text.js';
import { JsonLinesSink } from '../stdout-sink.js';

/**
 * Every event on stdout: JSON lines (the `replay` contract, and whenever stdout is a pipe or a
 * file), or readable lines when a person watches a terminal. A service whose stdout is the journal
 * writes customers' references and cards as `[redacted]`: the journal is a log, and logs carry no
 * personal data. MQTT carries them, for the payment side. Which of these is the caller's to say
 * (`eventLines`): the command line knows where its stdout goes.
 */
export const stdoutFeature = defineFeature({
  name: 'stdout',
  needs: ['eventLines'],
  build: ({ bus, config, needs: { eventLines } }) => {
    const redact = eventLines.redact ? redactor(config) : undefined;
    const render = eventLines.readable ? (event: GatewayEvent) => eventText(event, formatPrice) : undefined;
    const sink = new JsonLinesSink(
      eventLines.stream,
      redact ? (event) => (render ? render(redact(event)) : JSON.stringify(redact(event))) : render,
    );
    let unsubscribe: (() => void) | undefined;
    return {
      name: 'stdout',
      start() {
        unsubscribe = bus.on('stdout', '*', (event) => sink.write(event));
      },
      async stop() {
        unsubscribe?.();
        await sink.close();
      },
    };
  },
});

/** The event without who: customer references, card ids, and the tags a card reader reads (cards). */
export function redactor(config: GatewayConfig): (event: GatewayEvent) => GatewayEvent {
  const cardReaders = cardReaderIds(config);
  return (event) => {
    let copy: Record<string, unknown> | undefined;
    const set = (field: string) => {
      copy ??= { ...event };
      copy[field] = REDACTED;
    };
    if ('customer' in event) set('customer');
    for (const field of cardFields(event, cardReaders)) set(field);
    return (copy ?? event) as GatewayEvent;
  };
}
