import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { referenceFrameCrc, referenceGen2Crc } from '../../../test/kits/protocols/thingmagic.js';
import { gen2Crc, thingmagicCrc } from './crc.js';
import * as fixtures from './fixtures.js';

const ascii = (text: string) => new TextEncoder().encode(text);
const crcOf = (bytes: Uint8Array) => thingmagicCrc(bytes, 0, bytes.length);

describe('thingmagicCrc', () => {
  it('matches the test vectors of protocols.md §1.3', () => {
    expect(crcOf(ascii('123456789'))).toBe(0xa69d);
    expect(crcOf(Uint8Array.of(0x00, 0x03))).toBe(0x1d0c);
    expect(crcOf(Uint8Array.of(0x00, 0x97, 0x00, 0x00))).toBe(0x779e);
  });

  it('is not CRC-16/CCITT-FALSE (whose check value is 0x29B1)', () => {
    expect(crcOf(ascii('123456789'))).not.toBe(0x29b1);
  });

  it('verifies every REAL and CONSTRUCTED frame of §1 (CRC over everything after FF)', () => {
    const frames = Object.entries(fixtures).filter(([, value]) => value instanceof Uint8Array);
    expect(frames.length).toBeGreaterThan(40);
    for (const [name, frame] of frames) {
      const crc = ((frame.at(-2) as number) << 8) | (frame.at(-1) as number);
      expect(thingmagicCrc(frame, 1, frame.length - 2), name).toBe(crc);
    }
  });

  it('agrees with the bitwise definition on arbitrary input and ranges', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.nat(), (bytes, a, b) => {
        const start = bytes.length === 0 ? 0 : a % bytes.length;
        const end = start + (bytes.length === 0 ? 0 : b % (bytes.length - start + 1));
        expect(thingmagicCrc(bytes, start, end)).toBe(referenceFrameCrc(bytes.subarray(start, end)));
      }),
    );
  });
});

describe('gen2Crc', () => {
  it('has the CRC-16/GENIBUS check value', () => {
    const digits = ascii('123456789');
    expect(gen2Crc(digits, 0, digits.length)).toBe(0xd64e);
  });

  it('matches the tag CRC of REAL record T1 (PC 3000 + EPC …1545 → E94A)', () => {
    const pcAndEpc = fixtures.TAG_T1.subarray(29, 43);
    expect(gen2Crc(pcAndEpc, 0, pcAndEpc.length)).toBe(0xe94a);
  });

  it('agrees with the bitwise definition', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        expect(gen2Crc(bytes, 0, bytes.length)).toBe(referenceGen2Crc(bytes));
      }),
    );
  });
});
