import { describe, expect, it } from 'vitest';
import { toHex } from '../../../test/kits/protocols/r2000.js';
import {
  encodeFastSwitchInventory,
  encodeGetFirmwareVersion,
  encodeRealTimeInventory,
  encodeSessionInventory,
  encodeSetFrequencyRegion,
  encodeSetOutputPower,
  encodeSetWorkAntenna,
} from './commands.js';
import * as fx from './fixtures.js';

describe('commands against REAL and hand-built frames', () => {
  it('REAL frames of [R2K-DOC] and the ESP32 capture', () => {
    expect(encodeGetFirmwareVersion(0x01)).toEqual(fx.CMD_GET_FIRMWARE);
    expect(encodeSetWorkAntenna(1, 0x01)).toEqual(fx.CMD_SET_WORK_ANTENNA_1);
    expect(encodeRealTimeInventory(1, 0x01)).toEqual(fx.CMD_REAL_TIME_INVENTORY_1);
    expect(encodeSessionInventory(1, 'A', 1, 0x01)).toEqual(fx.CMD_SESSION_S1_A_1);
  });

  it('CONSTRUCTED frames: broadcast address and 255 rounds', () => {
    expect(encodeRealTimeInventory()).toEqual(fx.CMD_REAL_TIME_INVENTORY_BROADCAST);
    expect(encodeRealTimeInventory(255, 0x01)).toEqual(fx.CMD_REAL_TIME_INVENTORY_255);
  });

  it('hand-checked: power, region, fast switch', () => {
    // A0 04 FF 76 1E: sum 0x237 → CHECK C9.
    expect(toHex(encodeSetOutputPower(30))).toBe('A004FF761EC9');
    // A0 07 FF 76 1E 1E 14 14: sum 0x280 → CHECK 80.
    expect(toHex(encodeSetOutputPower([30, 30, 20, 20]))).toBe('A007FF761E1E141480');
    // A0 06 FF 78 02 00 06: sum 0x225 → CHECK DB (ETSI, channels 0..6).
    expect(toHex(encodeSetFrequencyRegion('ETSI'))).toBe('A006FF78020006DB');
    // A0 06 FF 78 01 07 3B: sum 0x260 → CHECK A0 (FCC, channels 7..59).
    expect(toHex(encodeSetFrequencyRegion('FCC'))).toBe('A006FF7801073BA0');
    // A0 0D FF 8A 00 01 01 02 FF 01 FF 01 00 01: sum 0x43B → CHECK C5.
    expect(toHex(encodeFastSwitchInventory([{ antenna: 1 }, { antenna: 2, rounds: 2 }]))).toBe(
      'A00DFF8A00010102FF01FF010001C5',
    );
    // 8-port: antenna 8 → 07; A0 04 FF 74 07: sum 0x21E → CHECK E2.
    expect(toHex(encodeSetWorkAntenna(8))).toBe('A004FF7407E2');
  });

  it('range checks name the value', () => {
    expect(() => encodeSetWorkAntenna(0)).toThrow(/antenna 0 /);
    expect(() => encodeSetWorkAntenna(9)).toThrow(/antenna 9 /);
    expect(() => encodeSetOutputPower(34)).toThrow(/34/);
    expect(() => encodeSetOutputPower(20.5)).toThrow(/20\.5/);
    expect(() => encodeSetOutputPower([20, 20])).toThrow(/not 2/);
    expect(() => encodeSetFrequencyRegion('EU3')).toThrow(/"EU3"/);
    expect(() => encodeSetFrequencyRegion('ETSI', { last: 7 })).toThrow(/ETSI last channel 7/);
    expect(() => encodeSetFrequencyRegion('FCC', { first: 30, last: 20 })).toThrow(/last channel 20/);
    expect(() => encodeRealTimeInventory(0)).toThrow(/repeat count 0/);
    expect(() => encodeRealTimeInventory(256)).toThrow(/repeat count 256/);
    expect(() => encodeSessionInventory(4, 'A')).toThrow(/session 4/);
    expect(() => encodeSessionInventory(1, 'C' as 'A')).toThrow(/"C"/);
    expect(() => encodeFastSwitchInventory([{ antenna: 5 }])).toThrow(/antenna 5/);
    expect(() => encodeFastSwitchInventory([])).toThrow(/not 0/);
    expect(() => encodeSetWorkAntenna(1, 300)).toThrow(/address 300/);
  });
});
