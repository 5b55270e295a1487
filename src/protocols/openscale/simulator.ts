import type { DeviceSimulator } from '../../shared/decoding.js';
import { seededRandom } from '../../shared/random.js';
import type { OpenScaleUnit } from './line.js';

export interface OpenScaleSimulatorOptions {
  seed?: number;
  /** Default lbs, as the firmware's factory settings. */
  unit?: OpenScaleUnit;
  /** Default 2, as the firmware's factory settings. */
  decimals?: number;
  /** Print `millis()` first (factory setting: on). */
  timestamp?: boolean;
  /** Print the board's TMP102 temperature (factory setting: on). */
  localTemperature?: boolean;
  /** Time between two lines, for the timestamps: about a reading of 4 samples at 10 SPS. */
  intervalMs?: number;
  /** Weight of one item on the platform. */
  itemGrams?: number;
}

const GRAMS_PER_UNIT = { kg: 1000, lbs: 453.59237 } as const;
/** The HX711 at 10 SPS averaged over 4 samples on a 5 kg cell: about ±1.5 g of noise. */
const NOISE_GRAMS = 1.5;
/** Lines between two changes of the load: a shopper every half minute or so. */
const LINES_PER_CHANGE = 60;

const BANNER =
  '\r\nSerial Load Cell Converter version 1.2\r\nBy SparkFun Electronics\r\nNo remote sensor found\r\n' +
  'Minimum time between reports: 458\r\nPress x to bring up settings\r\nReadings:\r\n';

/**
 * Plays an OpenScale with cans on it: it prints the power-up banner, then one reading per call of
 * `heartbeatFrame` (a scale's reading is its heartbeat: it prints one per cycle, load or not), in the
 * firmware's format, with noise; every so often an item is taken or put back. It reads no tags and
 * answers nothing: the gateway never sends it the menu key.
 */
export function createOpenScaleSimulator(options: OpenScaleSimulatorOptions = {}): DeviceSimulator {
  const random = seededRandom(options.seed ?? 1);
  const unit = options.unit ?? 'lbs';
  const decimals = options.decimals ?? 2;
  const interval = options.intervalMs ?? 458;
  const itemGrams = options.itemGrams ?? 350;
  const encoder = new TextEncoder();
  let lines = 0;
  let items = 6;
  let sixteenths = 383; // 23.94 °C
  return {
    tagLength: 0,
    answer: () => [],
    tagFrame: () => undefined,
    heartbeatFrame() {
      if (lines > 0 && lines % LINES_PER_CHANGE === 0) {
        items = Math.max(0, Math.min(12, items + (random() < 0.6 ? -1 : 1)));
      }
      const grams = items * itemGrams + (random() * 2 - 1) * NOISE_GRAMS;
      const fields: string[] = [];
      if (options.timestamp ?? true) fields.push(String(1041 + lines * interval));
      fields.push((grams / GRAMS_PER_UNIT[unit]).toFixed(decimals), unit);
      // The TMP102 resolves 0.0625 °C and the board warms slowly; printed with the weight's decimals.
      const step = random();
      if (step < 0.05) sixteenths -= 1;
      else if (step > 0.95) sixteenths += 1;
      if (options.localTemperature ?? true) fields.push((sixteenths / 16).toFixed(decimals));
      const line = `${fields.join(',')},\r\n`;
      lines += 1;
      return encoder.encode(lines === 1 ? BANNER + line : line);
    },
  };
}
