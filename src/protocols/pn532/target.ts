/**
 * One 106 kbps type A target in an InListPassiveTarget answer (UM0701-02; protocols.md §5.3):
 *   Tg | SENS_RES (2) | SEL_RES | NFCIDLength | NFCID1 [NFCIDLength] | [ATS, when SEL_RES says ISO 14443-4]
 * The ATS's first byte (TL) counts the ATS itself; libnfc's `pn53x_decode_target_data` reads it
 * whenever SEL_RES bit 0x20 is set.
 */
export interface TypeATarget {
  /** Offset of the UID in the buffer that was parsed. */
  uidOffset: number;
  uidLength: number;
  sensRes: number;
  selRes: number;
  /** Where the next target starts. */
  end: number;
}

/** Cascade levels: single, double, triple size UIDs (ISO/IEC 14443-3). */
const UID_LENGTHS: ReadonlySet<number> = new Set([4, 7, 10]);
const SEL_RES_ISO14443_4 = 0x20;
const TARGET_HEAD = 5;

export type TargetProblem = 'truncated-target' | 'bad-uid-length';

/** Parses the target at `start` into `into`; returns a problem instead when it does not fit. */
export function parseTypeATarget(
  buf: Uint8Array,
  start: number,
  end: number,
  into: TypeATarget,
): TargetProblem | undefined {
  if (start + TARGET_HEAD > end) return 'truncated-target';
  const uidLength = buf[start + 4] as number;
  if (!UID_LENGTHS.has(uidLength)) return 'bad-uid-length';
  const uidOffset = start + TARGET_HEAD;
  if (uidOffset + uidLength > end) return 'truncated-target';
  into.sensRes = ((buf[start + 1] as number) << 8) | (buf[start + 2] as number);
  into.selRes = buf[start + 3] as number;
  into.uidOffset = uidOffset;
  into.uidLength = uidLength;
  let next = uidOffset + uidLength;
  // A missing ATS only matters for finding a second target, so it is not held against the UID.
  if (into.selRes & SEL_RES_ISO14443_4 && next < end) next += Math.max(1, buf[next] as number);
  into.end = Math.min(next, end);
  return undefined;
}

export function createTarget(): TypeATarget {
  return { uidOffset: 0, uidLength: 0, sensRes: 0, selRes: 0, end: 0 };
}

export type CardKind =
  | 'mifare-classic-1k'
  | 'mifare-classic-4k'
  | 'mifare-mini'
  | 'mifare-ultralight-ntag'
  | 'iso14443-4'
  | 'iso14443a';

/**
 * What kind of card a SEL_RES (SAK) announces (NXP AN10833, "MIFARE type identification"). Phones
 * and bank cards are ISO 14443-4; a phone's emulated card usually shows a random UID.
 */
export function cardKind(selRes: number): CardKind {
  switch (selRes) {
    case 0x08:
      return 'mifare-classic-1k';
    case 0x18:
      return 'mifare-classic-4k';
    case 0x09:
      return 'mifare-mini';
    case 0x00:
      return 'mifare-ultralight-ntag';
    default:
      return selRes & SEL_RES_ISO14443_4 ? 'iso14443-4' : 'iso14443a';
  }
}
