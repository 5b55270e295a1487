import { gen2Crc } from './crc.js';

/**
 * One tag record: the metadata fields the flags ask for, in flag order, then EPC-length (bits,
 * covering PC + XPC + EPC + tag CRC), PC, optional XPC words, EPC, tag CRC (protocols.md §1.6;
 * MercuryAPI `TMR_SR_parseMetadataOnly` / `TMR_SR_parseMetadataFromMessage`).
 */
export const MetadataFlag = {
  readCount: 0x0001,
  rssi: 0x0002,
  antenna: 0x0004,
  frequency: 0x0008,
  timestamp: 0x0010,
  phase: 0x0020,
  protocol: 0x0040,
  embeddedData: 0x0080,
  gpio: 0x0100,
  gen2Q: 0x0200,
  gen2LinkFrequency: 0x0400,
  gen2Target: 0x0800,
  brandIdentifier: 0x1000,
} as const;

/** What `startReading()` in the SparkFun library and URA request: count … GPIO. */
export const DEFAULT_METADATA_FLAGS = 0x01ff;
/** 0x2000 (tag type) is an HF/LF field of variable (EBV) size; a UHF module never sends it. */
const KNOWN_FLAGS = 0x1fff;

const PC_XPC_INDICATOR = 0x0200;
const XPC_W1_EXTENSION = 0x8000;

export type RecordProblem = 'unsupported-metadata' | 'truncated-tag-record' | 'bad-tag-crc';

/** Filled in place by `parseTagRecord` so the hot path allocates nothing. */
export interface TagRecord {
  epcOffset: number;
  epcLength: number;
  /** 1-based RX port, 0 when not reported. */
  antenna: number;
  /** dBm, NaN when not reported. */
  rssi: number;
  /** Offset just after the record; -1 when the record's extent could not be determined. */
  end: number;
}

export function createTagRecord(): TagRecord {
  return { epcOffset: 0, epcLength: 0, antenna: 0, rssi: Number.NaN, end: -1 };
}

function u16(buf: Uint8Array, at: number): number {
  return ((buf[at] as number) << 8) | (buf[at + 1] as number);
}

/**
 * Parses the record at `buf[start..limit)`. Returns a problem, or undefined when `out` holds a tag
 * whose Gen2 CRC matched (or was not checked).
 */
export function parseTagRecord(
  buf: Uint8Array,
  start: number,
  limit: number,
  flags: number,
  checkTagCrc: boolean,
  out: TagRecord,
): RecordProblem | undefined {
  out.end = -1;
  if ((flags & ~KNOWN_FLAGS) !== 0) return 'unsupported-metadata';
  let p = start;
  if (flags & MetadataFlag.readCount) p += 1;
  out.rssi = Number.NaN;
  if (flags & MetadataFlag.rssi) {
    out.rssi = ((buf[p] as number) << 24) >> 24;
    p += 1;
  }
  out.antenna = 0;
  if (flags & MetadataFlag.antenna) {
    // Low nibble = RX port; port 16 does not fit a nibble and wraps to 0.
    out.antenna = (buf[p] as number) & 0x0f || 16;
    p += 1;
  }
  if (flags & MetadataFlag.frequency) p += 3;
  if (flags & MetadataFlag.timestamp) p += 4;
  if (flags & MetadataFlag.phase) p += 2;
  if (flags & MetadataFlag.protocol) p += 1;
  if (flags & MetadataFlag.embeddedData) {
    if (p + 2 > limit) return 'truncated-tag-record';
    p += 2 + ((u16(buf, p) + 7) >> 3);
  }
  if (flags & MetadataFlag.gpio) p += 1;
  if (flags & MetadataFlag.gen2Q) p += 1;
  if (flags & MetadataFlag.gen2LinkFrequency) p += 1;
  if (flags & MetadataFlag.gen2Target) p += 1;
  if (flags & MetadataFlag.brandIdentifier) p += 2;
  if (p + 2 > limit) return 'truncated-tag-record';

  const idBytes = (u16(buf, p) + 7) >> 3;
  p += 2;
  const end = p + idBytes;
  if (end > limit || idBytes < 4) return 'truncated-tag-record';
  let pcBytes = 2;
  if (u16(buf, p) & PC_XPC_INDICATOR) {
    pcBytes = idBytes >= 6 && u16(buf, p + 2) & XPC_W1_EXTENSION ? 6 : 4;
  }
  // The brand identifier rides in the last two EPC bytes (MercuryAPI moves it to `xepc`).
  const epcLength = idBytes - pcBytes - 2 - (flags & MetadataFlag.brandIdentifier ? 2 : 0);
  if (epcLength < 1) return 'truncated-tag-record';
  out.end = end;
  if (checkTagCrc && gen2Crc(buf, p, end - 2) !== u16(buf, end - 2)) return 'bad-tag-crc';
  out.epcOffset = p + pcBytes;
  out.epcLength = epcLength;
  return undefined;
}
