import type { DeviceSimulator } from '../../shared/decoding.js';
import { EM4100_ID_LENGTH, encodeId12Frame } from './codec.js';

/**
 * Plays an ID-12LA: it has no commands to answer and reports every tag presented to it, with
 * neither antenna nor RSSI on the wire.
 */
export function createEm4100Simulator(): DeviceSimulator {
  return {
    tagLength: EM4100_ID_LENGTH,
    answer: () => [],
    tagFrame: (tag) => encodeId12Frame(tag),
  };
}
