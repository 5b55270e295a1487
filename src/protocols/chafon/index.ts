export * from './commands.js';
export { chafonCrc } from './crc.js';
export { ChafonDecoder, type ChafonDecoderOptions, createChafonDecoder } from './decoder.js';
export { type ChafonSettings, chafonDriver, pollPlan } from './driver.js';
export { BROADCAST_ADDRESS, Command, encodeCommand, encodeResponse, Status } from './frame.js';
export { type InventoryLayout, parseReaderInfo, type ReaderInfo } from './identity.js';
export { ChafonSimulator, type ChafonSimulatorOptions, createSimulator } from './simulator.js';
