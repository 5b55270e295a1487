import { describe, expect, it } from 'vitest';
import {
  encodeAbort,
  encodeGetFirmwareVersion,
  encodeInListPassiveTarget,
  encodeRfFieldOff,
  encodeSamConfiguration,
  encodeSetPassiveActivationRetries,
  WAKE_UP_PREAMBLE,
  withWakeUp,
} from './commands.js';
import * as F from './fixtures.js';
import { ACK_FRAME, ERROR_FRAME, encodeAnswer, encodeCommand, NACK_FRAME, TFI_PN532 } from './frame.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('PN532 frames', () => {
  it('encodes the published command frames', () => {
    expect(hex(encodeGetFirmwareVersion())).toBe(hex(F.GET_FIRMWARE_VERSION));
    expect(hex(encodeSamConfiguration())).toBe(hex(F.SAM_CONFIGURATION));
    expect(hex(encodeInListPassiveTarget())).toBe(hex(F.IN_LIST_PASSIVE_TARGET));
    expect(hex(encodeCommand(0x00, [0x31, 0x32, 0x33]))).toBe(hex(F.NFCPY_COMMAND));
  });

  it('encodes the published answer frames, normal and extended', () => {
    expect(hex(encodeAnswer(0x00, [0x34, 0x35, 0x36]))).toBe(hex(F.NFCPY_ANSWER));
    expect(hex(encodeAnswer(0x14))).toBe(hex(F.SAM_CONFIGURATION_ANSWER));
    expect(hex(encodeAnswer(0x4a, [0x00]))).toBe(hex(F.POLL_ANSWER_NO_CARD));
    expect(hex(encodeAnswer(0x00, [0x34, 0x35, 0x36, ...new Array<number>(256).fill(0)]))).toBe(
      hex(F.NFCPY_EXTENDED_ANSWER),
    );
    expect(hex(encodeAnswer(0x4a, [...F.POLL_ANSWER_4_BYTE.subarray(7, 17)]))).toBe(
      hex(F.POLL_ANSWER_4_BYTE),
    );
  });

  it('has the ACK, NACK and error frames of nfcpy', () => {
    expect(hex(ACK_FRAME)).toBe(hex(F.ACK));
    expect(hex(NACK_FRAME)).toBe(hex(F.NACK));
    expect(hex(ERROR_FRAME)).toBe(hex(F.ERROR));
    expect(hex(encodeAbort())).toBe(hex(F.ACK));
  });

  it('switches to an extended frame only past 255 payload bytes', () => {
    expect(encodeAnswer(0x00, new Uint8Array(253))[3]).toBe(0xff);
    expect(encodeAnswer(0x00, new Uint8Array(253))[4]).toBe(0x01);
    expect(hex(encodeAnswer(0x00, new Uint8Array(254)).subarray(0, 9))).toBe('0000ffffff0100ff' + 'd5');
    expect(() => encodeCommand(0x00, new Uint8Array(265))).toThrow(/at most 266/);
    expect(TFI_PN532).toBe(0xd5);
  });
});

describe('PN532 commands', () => {
  it('wakes the HSU with 0x55 0x55 and zeros before the first frame', () => {
    const bytes = withWakeUp(encodeSamConfiguration());
    expect(hex(bytes.subarray(0, 2))).toBe('5555');
    expect(bytes.subarray(2, WAKE_UP_PREAMBLE.length).every((b) => b === 0)).toBe(true);
    expect(hex(bytes.subarray(WAKE_UP_PREAMBLE.length))).toBe(hex(F.SAM_CONFIGURATION));
  });

  it('sets the passive activation retries with RFConfiguration item 5', () => {
    // 00 00 FF | 06 FA | D4 32 05 FF 01 02 | DCS: D4+32+05+FF+01+02 = 0x20D → 0D, F3 | 00
    expect(hex(encodeSetPassiveActivationRetries(2))).toBe('0000ff06fad43205ff0102f300');
    // 00 00 FF | 04 FC | D4 32 01 00 | DCS: D4+32+01 = 0x107 → 07, F9 | 00
    expect(hex(encodeRfFieldOff())).toBe('0000ff04fcd4320100f900');
  });

  it('refuses values the chip cannot take, naming them', () => {
    expect(() => encodeSetPassiveActivationRetries(0xff)).toThrow(RangeError);
    expect(() => encodeSetPassiveActivationRetries(-1)).toThrow(/passive activation retries -1/);
    expect(() => encodeInListPassiveTarget(3)).toThrow(/MaxTg 3/);
    expect(() => encodeInListPassiveTarget(1.5)).toThrow(RangeError);
    expect(() => encodeSamConfiguration({ timeout: 256 })).toThrow(/SAM timeout 256/);
    // MaxTg 2: 00 00 FF 04 FC D4 4A 02 00 | DCS: D4+4A+02 = 0x120 → 20, E0 | 00
    expect(hex(encodeInListPassiveTarget(2))).toBe('0000ff04fcd44a0200e000');
  });
});
