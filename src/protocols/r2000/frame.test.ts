import { describe, expect, it } from 'vitest';
import { buildFrame } from '../../../test/kits/protocols/r2000.js';
import * as fx from './fixtures.js';
import { checksum, encodeFrame } from './frame.js';

describe('checksum', () => {
  it.each([
    ['get firmware', fx.CMD_GET_FIRMWARE],
    ['firmware answer', fx.RSP_FIRMWARE_1_9],
    ['inventory (worked example)', fx.CMD_REAL_TIME_INVENTORY_1],
    ['IND903 tag', fx.TAG_IND903],
    ['summary', fx.SUMMARY_17_PER_S],
    ['session summary', fx.SUMMARY_SESSION],
  ])('matches the REAL %s frame', (_name, frame) => {
    expect(checksum(frame, 0, frame.length - 1)).toBe(frame[frame.length - 1]);
  });

  it('rejects the summary the document hand-edited', () => {
    const frame = fx.SUMMARY_BAD_CHECKSUM;
    expect(checksum(frame, 0, frame.length - 1)).toBe(0xae);
    expect(frame[frame.length - 1]).toBe(0xbc);
  });
});

describe('encodeFrame', () => {
  it('builds the REAL frames byte for byte', () => {
    expect(encodeFrame(0x01, 0x72)).toEqual(fx.CMD_GET_FIRMWARE);
    expect(encodeFrame(0x01, 0x72, [0x01, 0x09])).toEqual(fx.RSP_FIRMWARE_1_9);
    expect(encodeFrame(0x01, 0x89, [0x01])).toEqual(fx.CMD_REAL_TIME_INVENTORY_1);
  });

  it('agrees with the independent builder for the largest frame', () => {
    const data = Array.from({ length: 252 }, (_, i) => (i * 37) & 0xff);
    const frame = encodeFrame(0x05, 0x90, data);
    expect(frame).toEqual(buildFrame(0x05, 0x90, data));
    expect(frame[1]).toBe(0xff);
  });

  it('refuses what does not fit, naming the value', () => {
    expect(() => encodeFrame(0x01, 0x90, new Uint8Array(253))).toThrow(/253 bytes/);
    expect(() => encodeFrame(256, 0x72)).toThrow(/address 256/);
    expect(() => encodeFrame(1, -1)).toThrow(/command -1/);
  });
});
