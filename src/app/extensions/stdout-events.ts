import type { ExtensionFactory } from '../context.js';
import { JsonLinesSink } from '../stdout-sink.js';

/** Every event as one JSON line on stdout: the `replay` contract and the terminal view of `run`. */
export const stdoutEvents: ExtensionFactory = ({ bus, stdout }) => {
  if (!stdout) return undefined;
  const sink = new JsonLinesSink(stdout);
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
