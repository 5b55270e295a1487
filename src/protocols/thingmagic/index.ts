export {
  DEFAULT_CYCLE_MS,
  DEFAULT_SEARCH_FLAGS,
  encodeClearTagBuffer,
  encodeReadSelectedEpc,
  encodeSetAntennas,
  encodeSetProtocolGen2,
  encodeSetReadPower,
  encodeSetRegion,
  encodeStartReading,
  encodeStopReading,
  encodeVersion,
  REGIONS,
  type SelectedReadOptions,
  type StartReadingOptions,
  SYNC_SEARCH_FLAGS,
} from './commands.js';
export { gen2Crc, thingmagicCrc } from './crc.js';
export {
  CARRY_CAPACITY,
  createThingMagicDecoder,
  ThingMagicDecoder,
  type ThingMagicDecoderOptions,
} from './decoder.js';
export { thingmagicDriver } from './driver.js';
export { encodeCommand, encodeResponse, Opcode } from './frame.js';
export { createSimulator, SIMULATED_TAG_LENGTH } from './simulator.js';
export { describeStatus, type StatusInfo } from './status.js';
export { DEFAULT_METADATA_FLAGS, MetadataFlag } from './tag-record.js';
