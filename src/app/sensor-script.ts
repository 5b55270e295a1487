import { encodeLine } from '../protocols/lines/index.js';
import { seededRandom } from './read-plan.js';

/**
 * A fridge controller's day in miniature, for demos and tests: the door opens every 15 s for 4 s,
 * the temperature is reported every 2 s and drifts while the door is open.
 */
export function sensorScript(seed: number): (elapsedMs: number) => Uint8Array[] {
  const random = seededRandom(seed);
  let doorOpen: boolean | undefined;
  let lastTemperatureAt = Number.NEGATIVE_INFINITY;
  return (elapsedMs) => {
    const lines: Uint8Array[] = [];
    const open = elapsedMs % 15_000 >= 11_000;
    if (open !== doorOpen) {
      doorOpen = open;
      lines.push(encodeLine('door', open ? 'open' : 'closed'));
    }
    if (elapsedMs - lastTemperatureAt >= 2000) {
      lastTemperatureAt = elapsedMs;
      const temperature = (open ? 6 : 4) + Math.round(random() * 10) / 10;
      lines.push(encodeLine('temp', temperature));
    }
    return lines;
  };
}
