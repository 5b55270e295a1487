/**
 * Byte-level facts of the 125 kHz EM4100 ASCII readers (protocols.md §2.1): STX, ten hex digits
 * for the 5-byte ID, the XOR of those 5 bytes, then the reader's own terminator.
 */

export const STX = 0x02;
export const ETX = 0x03;
export const CR = 0x0d;
export const LF = 0x0a;

/** Bytes in an EM4100 tag identifier (1 version/customer byte + 32-bit card number). */
export const EM4100_ID_LENGTH = 5;

/** ID-2LA/ID-12LA/ID-20LA: STX, 10 hex, 2 hex checksum, CR, LF, ETX. */
export const ID12_FRAME_LENGTH = 16;
/** RDM6300/RDM630, Seeed Grove 125 kHz: STX, 10 hex, 2 hex checksum, ETX. */
export const RDM6300_FRAME_LENGTH = 14;
/** RDM6300 clone (esphome/issues#3610): STX, 10 hex, one raw binary checksum byte, ETX. */
export const CLONE13_FRAME_LENGTH = 13;

export type Em4100FrameForm = 'id12' | 'rdm6300' | 'clone13';

/**
 * Value of an ASCII hex digit, or -1. Lowercase is accepted although every reader we know sends
 * uppercase: the checksum decides, and a lenient decoder loses nothing by it.
 */
export const HEX_VALUE: Int8Array = (() => {
  const table = new Int8Array(256).fill(-1);
  for (let digit = 0; digit < 10; digit++) table[0x30 + digit] = digit;
  for (let digit = 0; digit < 6; digit++) {
    table[0x41 + digit] = 10 + digit;
    table[0x61 + digit] = 10 + digit;
  }
  return table;
})();

const HEX_DIGITS = '0123456789ABCDEF';

export function em4100Checksum(id: Uint8Array): number {
  assertId(id);
  let checksum = 0;
  for (let index = 0; index < EM4100_ID_LENGTH; index++) checksum ^= id[index] as number;
  return checksum;
}

/** Builds the frame a reader of the given form sends for `id` (5 bytes). */
export function encodeEm4100Frame(id: Uint8Array, form: Em4100FrameForm): Uint8Array {
  const checksum = em4100Checksum(id);
  const length =
    form === 'id12' ? ID12_FRAME_LENGTH : form === 'rdm6300' ? RDM6300_FRAME_LENGTH : CLONE13_FRAME_LENGTH;
  const frame = new Uint8Array(length);
  frame[0] = STX;
  for (let index = 0; index < EM4100_ID_LENGTH; index++)
    writeHexByte(frame, 1 + 2 * index, id[index] as number);
  if (form === 'clone13') {
    frame[11] = checksum;
  } else {
    writeHexByte(frame, 11, checksum);
  }
  if (form === 'id12') {
    frame[13] = CR;
    frame[14] = LF;
  }
  frame[length - 1] = ETX;
  return frame;
}

/** The ID-12LA/ID-20LA form: what the gateway's simulator plays. */
export function encodeId12Frame(id: Uint8Array): Uint8Array {
  return encodeEm4100Frame(id, 'id12');
}

/** The RDM6300/Grove form, without CR LF. */
export function encodeRdm6300Frame(id: Uint8Array): Uint8Array {
  return encodeEm4100Frame(id, 'rdm6300');
}

function writeHexByte(target: Uint8Array, offset: number, value: number): void {
  target[offset] = HEX_DIGITS.charCodeAt(value >> 4);
  target[offset + 1] = HEX_DIGITS.charCodeAt(value & 0x0f);
}

function assertId(id: Uint8Array): void {
  if (id.length !== EM4100_ID_LENGTH) {
    throw new RangeError(`EM4100 IDs are ${EM4100_ID_LENGTH} bytes, got ${id.length}`);
  }
}
