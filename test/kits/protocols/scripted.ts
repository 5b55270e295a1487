import type { Driver, ReaderMessage } from '../../../src/shared/decoding.js';

/** A decoder that turns each chunk into one frame and one message (a device scripted by its test). */
export function messageDecoder(toMessage: (chunk: Uint8Array) => ReaderMessage): Driver['createDecoder'] {
  return (output) => {
    const stats = { bytes: 0, frames: 0, reads: 0, errors: 0, droppedBytes: 0 };
    return {
      stats,
      reset: () => {},
      push: (chunk) => {
        stats.bytes += chunk.length;
        stats.frames += 1;
        output.message(toMessage(chunk));
      },
    };
  };
}
