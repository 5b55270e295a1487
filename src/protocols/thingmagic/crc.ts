/**
 * The two CRCs of the Mercury protocol (protocols.md §1.3). Both use the polynomial 0x1021 MSB first,
 * so they share one 256-entry table; they differ in how the message enters the register.
 */

const POLY = 0x1021;

/** T[h] = what the register's high byte h contributes after eight shifts (the classic 0x1021 table). */
const TABLE = new Uint16Array(256);
for (let high = 0; high < 256; high++) {
  let reg = high << 8;
  for (let bit = 0; bit < 8; bit++) reg = reg & 0x8000 ? ((reg << 1) ^ POLY) & 0xffff : (reg << 1) & 0xffff;
  TABLE[high] = reg;
}

/**
 * The ThingMagic frame CRC over `bytes[start..end)`: preset 0xFFFF, the message is shifted *into*
 * the register (no 16 zero bits appended), so it is not CRC-16/CCITT-FALSE even though the table
 * is the same. Message bits entering at bit 0 cannot reach the feedback tap within one byte, which
 * is why a whole byte can be folded in at once.
 */
export function thingmagicCrc(bytes: Uint8Array, start: number, end: number): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) {
    crc = (((crc << 8) | (bytes[i] as number)) & 0xffff) ^ (TABLE[crc >> 8] as number);
  }
  return crc;
}

/**
 * The EPC Gen2 CRC-16 a tag appends to PC+EPC (CRC-16/GENIBUS: preset 0xFFFF, inverted result).
 * Checking it catches EPC bytes the reader itself mangled, which the frame CRC cannot.
 */
export function gen2Crc(bytes: Uint8Array, start: number, end: number): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) {
    crc = ((crc << 8) & 0xffff) ^ (TABLE[(crc >> 8) ^ (bytes[i] as number)] as number);
  }
  return crc ^ 0xffff;
}
