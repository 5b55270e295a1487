import { formatPrice } from '../../domain/catalog/money.js';
import type { ExtensionFactory } from '../context.js';
import { eventText } from '../event-text.js';
import { JsonLinesSink } from '../stdout-sink.js';

/**
 * Every event on stdout: JSON lines (the `replay` contract, and whenever stdout is a pipe or a
 * file), or readable lines when a person watches a terminal.
 */
export const stdoutEvents: ExtensionFactory = ({ bus, stdout, mode }) => {
  if (!stdout) return undefined;
  const readable = mode === 'run' && (stdout as { isTTY?: boolean }).isTTY === true;
  const sink = new JsonLinesSink(stdout, readable ? (event) => eventText(event, formatPrice) : undefined);
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
};
