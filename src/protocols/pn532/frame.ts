/**
 * PN532 host-link frames (UM0701-02; protocols.md §5.2):
 *   normal:    00 00 FF | LEN | LCS | TFI PD0..PDn | DCS | 00        LEN = bytes TFI..PDn, LEN + LCS ≡ 0
 *   extended:  00 00 FF FF FF | LENM LENL | LCS | TFI PD0..PDn | DCS | 00    LENM + LENL + LCS ≡ 0
 *   ACK 00 00 FF 00 FF 00, NACK 00 00 FF FF 00 00, error frame 00 00 FF 01 FF 7F 81 00
 * TFI + PD0 + … + PDn + DCS ≡ 0 (mod 256). PD0 is the command code; an answer's is the command + 1.
 */
export const TFI_HOST = 0xd4;
export const TFI_PN532 = 0xd5;
/** TFI of the application-level error frame (a command the chip could not parse). */
export const TFI_ERROR = 0x7f;

/** Bytes around the payload of a normal frame: 00 00 FF LEN LCS … DCS 00. */
export const NORMAL_OVERHEAD = 7;
/** Bytes around the payload of an extended frame: 00 00 FF FF FF LENM LENL LCS … DCS 00. */
export const EXTENDED_OVERHEAD = 10;
/** A normal frame's LEN is one byte, TFI included. */
export const MAX_NORMAL_PAYLOAD = 0xff;
/**
 * The PN532 buffers at most 264 data bytes (UM0701-02, extended frame), so a longer extended LEN marks a
 * false start; a little slack for TFI and the command code.
 */
export const MAX_EXTENDED_PAYLOAD = 266;
export const MAX_FRAME_LENGTH = MAX_EXTENDED_PAYLOAD + EXTENDED_OVERHEAD;

export const Command = {
  getFirmwareVersion: 0x02,
  samConfiguration: 0x14,
  rfConfiguration: 0x32,
  inListPassiveTarget: 0x4a,
} as const;

export const ACK_FRAME: Readonly<Uint8Array> = Uint8Array.of(0x00, 0x00, 0xff, 0x00, 0xff, 0x00);
export const NACK_FRAME: Readonly<Uint8Array> = Uint8Array.of(0x00, 0x00, 0xff, 0xff, 0x00, 0x00);
export const ERROR_FRAME: Readonly<Uint8Array> = Uint8Array.of(
  0x00,
  0x00,
  0xff,
  0x01,
  0xff,
  0x7f,
  0x81,
  0x00,
);

/** Sum of `buf[start..end)` modulo 256. */
export function byteSum(buf: Uint8Array, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += buf[i] as number;
  return sum & 0xff;
}

/**
 * A frame carrying TFI, code and data: normal when TFI + code + data fit one LEN byte, extended
 * otherwise (only the PN532 sends those in practice, for long card answers).
 */
export function encodeFrame(tfi: number, code: number, data: ArrayLike<number> = []): Uint8Array {
  const payload = data.length + 2;
  if (payload > MAX_EXTENDED_PAYLOAD) {
    throw new RangeError(`PN532 frame payload is ${payload} bytes, at most ${MAX_EXTENDED_PAYLOAD} fit`);
  }
  const extended = payload > MAX_NORMAL_PAYLOAD;
  const head = extended ? 8 : 5;
  const frame = new Uint8Array(payload + (extended ? EXTENDED_OVERHEAD : NORMAL_OVERHEAD));
  frame[2] = 0xff;
  if (extended) {
    frame[3] = 0xff;
    frame[4] = 0xff;
    frame[5] = payload >> 8;
    frame[6] = payload & 0xff;
    frame[7] = (0x100 - (((payload >> 8) + (payload & 0xff)) & 0xff)) & 0xff;
  } else {
    frame[3] = payload;
    frame[4] = (0x100 - payload) & 0xff;
  }
  frame[head] = tfi;
  frame[head + 1] = code;
  frame.set(Array.from(data), head + 2);
  const end = head + payload;
  frame[end] = (0x100 - byteSum(frame, head, end)) & 0xff;
  // frame[end + 1] is the postamble, already 0.
  return frame;
}

/** A host → PN532 command frame (TFI D4). */
export function encodeCommand(command: number, data: ArrayLike<number> = []): Uint8Array {
  return encodeFrame(TFI_HOST, command, data);
}

/** A PN532 → host answer frame (TFI D5, code = command + 1), as the simulator sends it. */
export function encodeAnswer(command: number, data: ArrayLike<number> = []): Uint8Array {
  return encodeFrame(TFI_PN532, (command + 1) & 0xff, data);
}
