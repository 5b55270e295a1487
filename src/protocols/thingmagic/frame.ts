import { thingmagicCrc } from './crc.js';

/**
 * Frame layout (protocols.md §1.2). LEN counts DATA only.
 *   command  (host -> module):  FF LEN OP DATA[LEN] CRC_HI CRC_LO               = LEN + 5 bytes
 *   response (module -> host):  FF LEN OP ST_HI ST_LO DATA[LEN] CRC_HI CRC_LO   = LEN + 7 bytes
 * The CRC covers everything after the FF header.
 */
export const START_BYTE = 0xff;
/** The module never sends more data bytes than this; a larger LEN marks a false start byte. */
export const MAX_DATA_LENGTH = 0xf8;
export const COMMAND_OVERHEAD = 5;
export const RESPONSE_OVERHEAD = 7;
/** Offset of the first DATA byte in a response frame. */
export const RESPONSE_DATA_OFFSET = 5;
export const MAX_RESPONSE_LENGTH = MAX_DATA_LENGTH + RESPONSE_OVERHEAD;

export const Opcode = {
  version: 0x03,
  bootFirmware: 0x04,
  readTagMultiple: 0x22,
  getTagBuffer: 0x29,
  clearTagBuffer: 0x2a,
  multiProtocolTagOp: 0x2f,
  setAntennaPort: 0x91,
  setReadTxPower: 0x92,
  setTagProtocol: 0x93,
  setRegion: 0x97,
} as const;

function checkDataLength(data: Uint8Array): void {
  if (data.length > MAX_DATA_LENGTH) {
    throw new RangeError(`ThingMagic frame data is ${data.length} bytes, at most ${MAX_DATA_LENGTH} fit`);
  }
}

function writeCrc(frame: Uint8Array): Uint8Array {
  const crc = thingmagicCrc(frame, 1, frame.length - 2);
  frame[frame.length - 2] = crc >> 8;
  frame[frame.length - 1] = crc & 0xff;
  return frame;
}

/** A host command frame. */
export function encodeCommand(opcode: number, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  checkDataLength(data);
  const frame = new Uint8Array(data.length + COMMAND_OVERHEAD);
  frame[0] = START_BYTE;
  frame[1] = data.length;
  frame[2] = opcode;
  frame.set(data, 3);
  return writeCrc(frame);
}

/** A module response frame (what the simulator sends). */
export function encodeResponse(
  opcode: number,
  status: number,
  data: Uint8Array = new Uint8Array(0),
): Uint8Array {
  checkDataLength(data);
  const frame = new Uint8Array(data.length + RESPONSE_OVERHEAD);
  frame[0] = START_BYTE;
  frame[1] = data.length;
  frame[2] = opcode;
  frame[3] = status >> 8;
  frame[4] = status & 0xff;
  frame.set(data, RESPONSE_DATA_OFFSET);
  return writeCrc(frame);
}
