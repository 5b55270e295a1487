import { describe, expect, it } from 'vitest';
import {
  encodeInventory,
  encodeReaderInfo,
  encodeSetFrequency,
  encodeSetPower,
  encodeSetScanTime,
  encodeSetWorkMode,
} from './commands.js';
import { chafonCrc } from './crc.js';
import { GET_READER_INFO, hex, INVENTORY, INVENTORY_ADDRESS_0, READER_INFO } from './fixtures.js';

describe('chafon CRC', () => {
  it('is CRC-16/MCRF4XX (check value of "123456789" is 0x6F91)', () => {
    const text = new TextEncoder().encode('123456789');
    expect(chafonCrc(text, 0, text.length)).toBe(0x6f91);
  });

  it('matches the REAL reader-information answer of [CF], sent low byte first', () => {
    expect(chafonCrc(READER_INFO, 0, READER_INFO.length - 2)).toBe(0x51e6);
  });
});

describe('chafon commands', () => {
  it('encodes inventory and reader information as protocols.md §4.4 constructs them', () => {
    expect(encodeInventory()).toEqual(INVENTORY);
    expect(encodeInventory(0)).toEqual(INVENTORY_ADDRESS_0);
    expect(encodeReaderInfo()).toEqual(GET_READER_INFO);
  });

  // Expected bytes: LEN ADR CMD DATA, CRC recomputed by a separate bitwise script, low byte first.
  it('encodes the setters', () => {
    expect(encodeSetPower(30)).toEqual(hex('05 ff 2f 1e 81 f2'));
    expect(encodeSetScanTime(1000)).toEqual(hex('05 ff 25 0a 54 59'));
    // EU, channels 0-14: MaxFre 0x4E and MinFre 0x00, the very bytes of the REAL info answer.
    expect(encodeSetFrequency('EU')).toEqual(hex('06 ff 22 4e 00 37 a4'));
    // EU3 = 0b1001: top bits 10 in MaxFre (channel 3), 01 in MinFre (channel 0).
    expect(encodeSetFrequency('EU3')).toEqual(hex('06 ff 22 83 40 e1 9c'));
    expect(encodeSetWorkMode('answer')).toEqual(hex('0a ff 35 00 00 00 00 00 00 e8 7e'));
    expect(encodeSetWorkMode('scan')).toEqual(hex('0a ff 35 01 06 04 00 01 00 6f 2a'));
  });

  it('refuses values the reader cannot take, naming them', () => {
    expect(() => encodeSetPower(31)).toThrow(/read power 31 dBm/);
    expect(() => encodeSetPower(12.5)).toThrow(RangeError);
    expect(() => encodeSetScanTime(200)).toThrow(/scan time 200 ms/);
    expect(() => encodeSetScanTime(1050)).toThrow(/1050 ms is not a multiple/);
    expect(() => encodeSetFrequency('NA2')).toThrow(/region "NA2"/);
    expect(() => encodeSetFrequency('EU', { max: 15 })).toThrow(/EU last channel 15/);
    expect(() => encodeSetFrequency('EU', { min: 5, max: 4 })).toThrow(RangeError);
    expect(() => encodeInventory(256)).toThrow(/address 256/);
  });
});
