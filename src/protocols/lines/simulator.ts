import type { DeviceSimulator } from '../../shared/decoding.js';

/**
 * A `lines` device reads no tags and acknowledges no command, so its simulator is silent; demos
 * produce its sensor lines with `encodeSensorLine`.
 */
export function createLinesSimulator(): DeviceSimulator {
  return {
    tagLength: 0,
    answer: () => [],
    tagFrame: () => undefined,
  };
}
