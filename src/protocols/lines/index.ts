import type { Driver } from '../../shared/decoding.js';
import { LinesDecoder } from './decoder.js';
import { createLinesSimulator } from './simulator.js';

export { LinesDecoder } from './decoder.js';
export { encodeLine, encodeSensorLine } from './encode.js';
export {
  CHANNEL_PATTERN,
  isValidChannel,
  type LineError,
  LinesDecodeReason,
  MAX_LINE_BYTES,
  parseLine,
  parseValue,
} from './parse.js';
export { createLinesSimulator } from './simulator.js';

/** The channel a device sends only to say it is alive (`heartbeat=<anything>`): liveness, not a sensor. */
export const HEARTBEAT_CHANNEL = 'heartbeat';

/**
 * Sensor and actuator microcontrollers speaking the `lines` protocol (DESIGN.md). They talk
 * as soon as the port is open: nothing to send at start-up or shutdown.
 */
export const linesDriver: Driver = {
  name: 'lines',
  kind: 'sensor',
  defaultBaudRate: 115200,
  createDecoder: (output) => new LinesDecoder(output),
  startup: () => [],
  shutdown: () => [],
  createSimulator: createLinesSimulator,
};
