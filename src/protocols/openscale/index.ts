import type { Driver } from '../../shared/decoding.js';
import { OpenScaleDecoder } from './decoder.js';
import { createOpenScaleSimulator } from './simulator.js';

export { OPENSCALE_MAX_LINE_BYTES, OpenScaleDecoder, WEIGHT_CHANNEL } from './decoder.js';
export { OpenScaleDecodeReason, type OpenScaleUnit, parseOpenScaleLine, toGrams } from './line.js';
export { createOpenScaleSimulator, type OpenScaleSimulatorOptions } from './simulator.js';

/**
 * SparkFun OpenScale (HX711 load-cell amplifier, ATmega328, FTDI USB serial at 9600 8N1). It streams
 * readings from power-up, so nothing is sent: its only input is the menu key `x`, which would stop
 * the readings, and its serial-trigger mode (off by default) is not supported.
 *
 * `expectedTrafficMs`: the firmware's report rate defaults to 200 ms on an erased EEPROM (500 ms
 * after an emergency reset), raised to the time a reading takes: 4 samples averaged at the HX711's
 * default 10 SPS, about 400 ms, plus the TMP102 and 20-odd bytes at 9600 baud. So a line comes about
 * every 0.2 to 0.5 s with factory settings; 1000 ms is twice the slowest of them, so that a scale
 * is not taken for silent on a slow cycle. A scale set to report less often than once a second
 * needs a longer silence threshold.
 */
export const openScaleDriver: Driver = {
  name: 'openscale',
  kind: 'sensor',
  defaultBaudRate: 9600,
  expectedTrafficMs: 1000,
  createDecoder: (output) => new OpenScaleDecoder(output),
  startup: () => [],
  shutdown: () => [],
  // `simulate` prints a line per expectedTrafficMs: its timestamps say so.
  createSimulator: () => createOpenScaleSimulator({ intervalMs: 1000 }),
};
