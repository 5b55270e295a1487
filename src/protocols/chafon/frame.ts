import { chafonCrc } from './crc.js';

/**
 * Frame layout (protocols.md §4.2). There is no start byte: LEN counts every byte after itself,
 * CRC included, so a frame is LEN + 1 bytes.
 *   command  (host -> reader):  LEN ADR CMD DATA… CRC_L CRC_H            LEN = 4 + data
 *   response (reader -> host):  LEN ADR reCMD STATUS DATA… CRC_L CRC_H   LEN = 5 + data
 */
export const COMMAND_OVERHEAD = 5;
export const RESPONSE_OVERHEAD = 6;
/** Offset of the first DATA byte in a response frame. */
export const RESPONSE_DATA_OFFSET = 4;
/** The smallest LEN of a response (no data). */
export const MIN_RESPONSE_LEN = RESPONSE_OVERHEAD - 1;
/** LEN is one byte: the longest frame is 256 bytes. */
export const MAX_FRAME_LENGTH = 256;
export const MAX_COMMAND_DATA = MAX_FRAME_LENGTH - COMMAND_OVERHEAD;
export const MAX_RESPONSE_DATA = MAX_FRAME_LENGTH - RESPONSE_OVERHEAD;
/** ADR 0xFF reaches whatever address the reader has ([CF] `ReaderCommand(addr=0xFF)`). */
export const BROADCAST_ADDRESS = 0xff;

/** Command codes ([CF] `chafon_rfid/command.py`; UHFReader18 manual §4). */
export const Command = {
  /** reCMD of a reader's answer to a frame it could not parse (status 0xFE). */
  none: 0x00,
  inventory: 0x01,
  readerInfo: 0x21,
  setFrequency: 0x22,
  setAddress: 0x24,
  setScanTime: 0x25,
  setBaudRate: 0x28,
  setPower: 0x2f,
  setWorkMode: 0x35,
  getWorkMode: 0x36,
  /** reCMD of the frames a reader in scan (active) mode pushes unsolicited. */
  scanOutput: 0xee,
} as const;

/** Statuses (UHFReader18 manual §5; [CF] `response.py`). */
export const Status = {
  ok: 0x00,
  inventoryDone: 0x01,
  inventoryTimeout: 0x02,
  moreFrames: 0x03,
  bufferFull: 0x04,
  antennaError: 0xf8,
  commandFailed: 0xf9,
  poorCommunication: 0xfa,
  noTag: 0xfb,
  tagError: 0xfc,
  badLength: 0xfd,
  illegalCommand: 0xfe,
  badParameter: 0xff,
} as const;

function writeCrc(frame: Uint8Array): Uint8Array {
  const crc = chafonCrc(frame, 0, frame.length - 2);
  frame[frame.length - 2] = crc & 0xff;
  frame[frame.length - 1] = crc >>> 8;
  return frame;
}

function checkAddress(address: number): void {
  if (!Number.isInteger(address) || address < 0 || address > 0xff) {
    throw new RangeError(`Chafon reader address ${address} is not a byte (0-255)`);
  }
}

/** A host command frame. */
export function encodeCommand(
  command: number,
  data: Uint8Array = new Uint8Array(0),
  address: number = BROADCAST_ADDRESS,
): Uint8Array {
  checkAddress(address);
  if (data.length > MAX_COMMAND_DATA) {
    throw new RangeError(`Chafon command data is ${data.length} bytes, at most ${MAX_COMMAND_DATA} fit`);
  }
  const frame = new Uint8Array(data.length + COMMAND_OVERHEAD);
  frame[0] = frame.length - 1;
  frame[1] = address;
  frame[2] = command;
  frame.set(data, 3);
  return writeCrc(frame);
}

/** A reader response frame (what the simulator sends). */
export function encodeResponse(
  command: number,
  status: number,
  data: Uint8Array = new Uint8Array(0),
  address = 0,
): Uint8Array {
  checkAddress(address);
  if (data.length > MAX_RESPONSE_DATA) {
    throw new RangeError(`Chafon response data is ${data.length} bytes, at most ${MAX_RESPONSE_DATA} fit`);
  }
  const frame = new Uint8Array(data.length + RESPONSE_OVERHEAD);
  frame[0] = frame.length - 1;
  frame[1] = address;
  frame[2] = command;
  frame[3] = status;
  frame.set(data, RESPONSE_DATA_OFFSET);
  return writeCrc(frame);
}
