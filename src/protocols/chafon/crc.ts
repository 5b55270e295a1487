/**
 * The Chafon frame CRC (protocols.md §4.2, [CF] `chafon_rfid/checksum.py`): CRC-16/MCRF4XX, i.e.
 * polynomial 0x1021 reflected (0x8408), preset 0xFFFF, bytes entering LSB first, no final XOR. It
 * covers LEN through the last DATA byte and travels low byte first.
 */

const POLY_REFLECTED = 0x8408;

/** T[b] = the register after shifting the low byte b out, eight bits at once. */
const TABLE = new Uint16Array(256);
for (let low = 0; low < 256; low++) {
  let reg = low;
  for (let bit = 0; bit < 8; bit++) reg = reg & 1 ? (reg >>> 1) ^ POLY_REFLECTED : reg >>> 1;
  TABLE[low] = reg;
}

/** CRC over `bytes[start..end)`. */
export function chafonCrc(bytes: Uint8Array, start: number, end: number): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) {
    crc = (crc >>> 8) ^ (TABLE[(crc ^ (bytes[i] as number)) & 0xff] as number);
  }
  return crc;
}
