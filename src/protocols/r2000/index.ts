export {
  encodeFastSwitchInventory,
  encodeGetFirmwareVersion,
  encodeGetOutputPower,
  encodeGetWorkAntenna,
  encodeRealTimeInventory,
  encodeSessionInventory,
  encodeSetFrequencyRegion,
  encodeSetOutputPower,
  encodeSetWorkAntenna,
  type FastSwitchStep,
  MAX_ANTENNA,
  MAX_POWER_DBM,
  REGIONS,
  type RegionName,
  type Target,
} from './commands.js';
export { CARRY_CAPACITY, createR2000Decoder, R2000Decoder } from './decoder.js';
export { pollPlan, type R2000Settings, r2000Driver } from './driver.js';
export { BROADCAST_ADDRESS, Command, checksum, encodeFrame } from './frame.js';
export { createSimulator, type R2000SimulatorOptions, SIMULATED_TAG_LENGTH } from './simulator.js';
export { describeResult, ResultCode, type StatusInfo } from './status.js';
