import type { Driver } from '../../shared/decoding.js';
import { Em4100AsciiDecoder } from './decoder.js';
import { createEm4100Simulator } from './simulator.js';

export {
  CLONE13_FRAME_LENGTH,
  EM4100_ID_LENGTH,
  type Em4100FrameForm,
  em4100Checksum,
  encodeEm4100Frame,
  encodeId12Frame,
  encodeRdm6300Frame,
  ID12_FRAME_LENGTH,
  RDM6300_FRAME_LENGTH,
} from './codec.js';
export { Em4100AsciiDecoder, Em4100DecodeReason } from './decoder.js';
export { createEm4100Simulator } from './simulator.js';

/**
 * 125 kHz EM4100 readers in ASCII mode (ID-12LA/ID-20LA, RDM6300, Seeed Grove). They push a
 * frame per read on their own, so there is nothing to send at start-up or shutdown, and no
 * reader setting applies.
 */
export const em4100AsciiDriver: Driver = {
  name: 'em4100-ascii',
  kind: 'reader',
  readsCards: true,
  defaultBaudRate: 9600,
  createDecoder: (output) => new Em4100AsciiDecoder(output),
  startup: () => [],
  shutdown: () => [],
  createSimulator: createEm4100Simulator,
};
