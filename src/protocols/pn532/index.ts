export {
  BAUD_106_TYPE_A,
  encodeAbort,
  encodeGetFirmwareVersion,
  encodeInListPassiveTarget,
  encodeRfFieldOff,
  encodeSamConfiguration,
  encodeSetPassiveActivationRetries,
  MAX_PASSIVE_RETRIES,
  type SamConfigurationOptions,
  WAKE_UP_PREAMBLE,
  withWakeUp,
} from './commands.js';
export { CARRY_CAPACITY, createPn532Decoder, Pn532Decoder, type Pn532DropReason } from './decoder.js';
export {
  answersCommand,
  COMMAND_TIMEOUT_MS,
  DEFAULT_POLL_INTERVAL_MS,
  MAX_POLL_INTERVAL_MS,
  MIN_POLL_INTERVAL_MS,
  type Pn532Settings,
  pn532Driver,
  pollPlan,
} from './driver.js';
export {
  ACK_FRAME,
  Command,
  ERROR_FRAME,
  encodeAnswer,
  encodeCommand,
  encodeFrame,
  MAX_FRAME_LENGTH,
  NACK_FRAME,
} from './frame.js';
export { createPn532Simulator, type Pn532SimulatorOptions, SIMULATED_TAG_LENGTH } from './simulator.js';
export { type CardKind, cardKind, parseTypeATarget, type TypeATarget } from './target.js';
