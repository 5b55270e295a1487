/**
 * Frame layout of the Impinj R2000 "UHF RFID Reader Serial Interface Protocol" (protocols.md §3.2):
 *   A0 | LEN | ADDR | CMD | DATA… | CHECK        total = LEN + 2 bytes
 * LEN counts the bytes after itself (ADDR, CMD, DATA and CHECK), so it is at least 3. Both directions
 * use the same layout; an answer carries the reader's own address, whatever address the host used.
 */
export const START_BYTE = 0xa0;
/** ADDR + CMD + CHECK, what a frame without data has after LEN. */
export const MIN_LENGTH = 3;
export const MAX_DATA_LENGTH = 0xff - MIN_LENGTH;
export const MAX_FRAME_LENGTH = 0xff + 2;
/** Offset of the first DATA byte. */
export const DATA_OFFSET = 4;
/** The address every reader answers (hex-in/pyImpinj's default). */
export const BROADCAST_ADDRESS = 0xff;

/** Command codes used here (hex-in/pyImpinj `pyImpinj/enums.py`, `ImpinjR2KCommands`). */
export const Command = {
  reset: 0x70,
  getFirmwareVersion: 0x72,
  setWorkAntenna: 0x74,
  getWorkAntenna: 0x75,
  setOutputPower: 0x76,
  getOutputPower: 0x77,
  setFrequencyRegion: 0x78,
  getFrequencyRegion: 0x79,
  realTimeInventory: 0x89,
  fastSwitchInventory: 0x8a,
  sessionInventory: 0x8b,
} as const;

/**
 * The checksum: two's complement of the 8-bit sum of `bytes[start..end)`, so that the whole frame
 * (A0 through CHECK) sums to 0 mod 256 (pyImpinj `libscrc.lrc`; worked example `A0 04 01 89 01` →
 * sum 0x12F → CHECK 0xD1 in the IND903 protocol document quoted by espinr/activioty).
 */
export function checksum(bytes: Uint8Array, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += bytes[i] as number;
  return -sum & 0xff;
}

function checkByte(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) {
    throw new RangeError(`R2000 ${name} ${value} is not a byte (0..255)`);
  }
}

/** One frame, host command or reader answer alike. */
export function encodeFrame(address: number, command: number, data: ArrayLike<number> = []): Uint8Array {
  checkByte('address', address);
  checkByte('command', command);
  if (data.length > MAX_DATA_LENGTH) {
    throw new RangeError(`R2000 frame data is ${data.length} bytes, at most ${MAX_DATA_LENGTH} fit`);
  }
  const frame = new Uint8Array(data.length + DATA_OFFSET + 1);
  frame[0] = START_BYTE;
  frame[1] = data.length + MIN_LENGTH;
  frame[2] = address;
  frame[3] = command;
  frame.set(data, DATA_OFFSET);
  frame[frame.length - 1] = checksum(frame, 0, frame.length - 1);
  return frame;
}
