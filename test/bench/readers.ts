import { chafonDriver } from '../../src/protocols/chafon/index.js';
import { pn532Driver } from '../../src/protocols/pn532/index.js';
import { r2000Driver } from '../../src/protocols/r2000/index.js';
import type { Driver } from '../../src/shared/decoding.js';
import { chunked, join, medianMegabytesPerSecond } from './em4100.js';

/**
 * Throughput of the decoders of the R2000, Chafon and PN532 families (`<family>.decode`, MB/s): a
 * stream of the family's own tag frames (each simulator's, after its start-up), 64-byte chunks, the
 * median of several runs, as for the other decoders.
 */

const STREAM_BYTES = 4_000_000;

function tagStream(driver: Driver, tagLength: number): { stream: Uint8Array; reads: number } {
  const simulator = driver.createSimulator();
  for (const step of driver.startup({})) simulator.answer(step.bytes);
  const poll = driver.pollPlan?.({});
  if (poll) simulator.answer(poll.step.bytes);
  const frames: Uint8Array[] = [];
  let bytes = 0;
  let seed = 4242;
  let reads = 0;
  while (bytes < STREAM_BYTES) {
    const tag = new Uint8Array(tagLength);
    for (let index = 0; index < tagLength; index++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      tag[index] = seed >>> 24;
    }
    const frame = simulator.tagFrame(tag, 1 + (reads % 4), -50 - (reads % 20));
    // A polled reader keeps the tag for its next poll's answer (Chafon); the others frame it at once.
    const out = frame ? [frame] : poll ? simulator.answer(poll.step.bytes) : [];
    if (out.length === 0) throw new Error(`the ${driver.name} simulator gives no tag frame`);
    reads += 1;
    for (const part of out) {
      frames.push(part);
      bytes += part.length;
    }
  }
  return { stream: join(frames), reads };
}

export async function run(report: (bench: string, value: number, unit: string) => void): Promise<void> {
  for (const [driver, tagLength] of [
    [r2000Driver, 12],
    [chafonDriver, 12],
    [pn532Driver, 4],
  ] as const) {
    const { stream, reads } = tagStream(driver, tagLength);
    const rate = medianMegabytesPerSecond(
      chunked(stream),
      stream.length,
      (output) => driver.createDecoder(output),
      (counts) => {
        // At least every tag framed (a polled simulator may add reads of its own field); no errors.
        if (counts.reads < reads || counts.errors !== 0) {
          throw new Error(
            `${driver.name} bench decoded ${counts.reads}/${reads} reads, ${counts.errors} errors`,
          );
        }
      },
    );
    report(`${driver.name}.decode`, Math.round(rate * 10) / 10, 'MB/s');
  }
}
