/**
 * The one SGTIN-96 encoder (GS1 EPC Tag Data Standard §14.5.1): what simulators, scenarios and
 * tests write into tags, so that they decode like real retail tags. Decoding is `core/epc.ts`'s.
 */

/** Bits of the company prefix and of the item reference, by partition (TDS Table 14-2). */
const PARTITIONS: ReadonlyArray<{ companyBits: bigint; itemBits: bigint; companyDigits: number }> = [
  { companyBits: 40n, itemBits: 4n, companyDigits: 12 },
  { companyBits: 37n, itemBits: 7n, companyDigits: 11 },
  { companyBits: 34n, itemBits: 10n, companyDigits: 10 },
  { companyBits: 30n, itemBits: 14n, companyDigits: 9 },
  { companyBits: 27n, itemBits: 17n, companyDigits: 8 },
  { companyBits: 24n, itemBits: 20n, companyDigits: 7 },
  { companyBits: 20n, itemBits: 24n, companyDigits: 6 },
];

export interface Sgtin96 {
  /** 6 to 12 digits; its length picks the partition. Default `0614141`, the GS1 standards' example. */
  companyPrefix?: string;
  /** Indicator digit followed by the item reference: 13 digits in all with the company prefix. */
  itemReference: number;
  serial: number;
  /** 0 all others, 1 point-of-sale item (default), 3 … (TDS Table 14-3). */
  filter?: number;
}

/** The 24 uppercase hex digits of an SGTIN-96; throws a RangeError naming the field that does not fit. */
export function sgtin96(input: Sgtin96): string {
  const companyPrefix = input.companyPrefix ?? '0614141';
  const filter = input.filter ?? 1;
  const partition = PARTITIONS.findIndex((p) => p.companyDigits === companyPrefix.length);
  const layout = PARTITIONS[partition];
  if (!layout || !/^\d+$/.test(companyPrefix)) {
    throw new RangeError(`company prefix ${JSON.stringify(companyPrefix)} must be 6 to 12 digits`);
  }
  const itemDigits = 13 - layout.companyDigits;
  if (
    !Number.isInteger(input.itemReference) ||
    input.itemReference < 0 ||
    input.itemReference >= 10 ** itemDigits
  ) {
    throw new RangeError(`item reference ${input.itemReference} does not fit ${itemDigits} digits`);
  }
  if (!Number.isInteger(input.serial) || input.serial < 0 || input.serial >= 2 ** 38) {
    throw new RangeError(`serial ${input.serial} does not fit 38 bits`);
  }
  if (!Number.isInteger(filter) || filter < 0 || filter > 7) {
    throw new RangeError(`filter ${filter} must be 0 to 7`);
  }
  let bits = 0x30n;
  bits = (bits << 3n) | BigInt(filter);
  bits = (bits << 3n) | BigInt(partition);
  bits = (bits << layout.companyBits) | BigInt(companyPrefix);
  bits = (bits << layout.itemBits) | BigInt(input.itemReference);
  bits = (bits << 38n) | BigInt(input.serial);
  return bits.toString(16).toUpperCase().padStart(24, '0');
}

/** The same as bytes (12), as a reader's frame carries them. */
export function sgtin96Bytes(input: Sgtin96): Uint8Array {
  return Uint8Array.from(Buffer.from(sgtin96(input), 'hex'));
}
