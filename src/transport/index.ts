export { Backoff, resolvePolicy } from '../shared/backoff.js';
export {
  type CaptureChunk,
  CaptureError,
  type CaptureHeader,
  CaptureParser,
  type CapturePort,
  captureChunkLineSchema,
  captureHeaderSchema,
} from './capture.js';
export { CaptureCursor, type OpenCapture, readCapture } from './capture-file.js';
export { CaptureWriter } from './capture-writer.js';
export { createTransport } from './create.js';
export { type ListPortsOptions, listPorts, type PortListing } from './ports.js';
export { checkReplaySource, ReplayTransport } from './replay.js';
export type { ReadPathChoice, SerialDevice, SerialDeviceFactory, SerialOptions } from './serial.js';
export * from './types.js';
