import { describe, expect, it } from 'vitest';
import { toHex } from '../../../test/kits/protocols/thingmagic.js';
import {
  encodeSetAntennas,
  encodeSetProtocolGen2,
  encodeSetReadPower,
  encodeSetRegion,
  encodeStartReading,
  encodeStopReading,
  encodeVersion,
} from './commands.js';
import * as fx from './fixtures.js';
import { encodeCommand, encodeResponse } from './frame.js';

describe('command encoders reproduce the frames of protocols.md §1.4/§1.5', () => {
  it.each([
    ['version (REAL)', encodeVersion(), fx.CMD_VERSION],
    ['region NA2 (REAL)', encodeSetRegion('NA2'), fx.CMD_SET_REGION_NA2],
    ['region eu3, any case (CONSTRUCTED)', encodeSetRegion('eu3'), fx.CMD_SET_REGION_EU3],
    ['power 27.00 dBm (REAL)', encodeSetReadPower(27), fx.CMD_SET_POWER_27_00],
    ['power 20.30 dBm (REAL)', encodeSetReadPower(20.3), fx.CMD_SET_POWER_20_30],
    ['power 20.00 dBm (CONSTRUCTED)', encodeSetReadPower(20), fx.CMD_SET_POWER_20_00],
    ['power 5.00 dBm (CONSTRUCTED)', encodeSetReadPower(5), fx.CMD_SET_POWER_5_00],
    ['antenna 1 (REAL)', encodeSetAntennas([1]), fx.CMD_SET_ANTENNA_1],
    ['protocol GEN2 (REAL)', encodeSetProtocolGen2(), fx.CMD_SET_PROTOCOL_GEN2],
    ['start continuous reading (REAL)', encodeStartReading(), fx.CMD_START_READING],
    ['stop continuous reading (REAL)', encodeStopReading(), fx.CMD_STOP_READING],
  ])('%s', (_name, encoded, real) => {
    expect(toHex(encoded)).toBe(toHex(real));
  });

  it('encodeCommand reproduces the other REAL commands from their opcode and data', () => {
    const cases: [Uint8Array, number, number[]][] = [
      [fx.CMD_SET_BAUD_115200, 0x06, [0x00, 0x01, 0xc2, 0x00]],
      [fx.CMD_SET_BAUD_38400, 0x06, [0x00, 0x00, 0x96, 0x00]],
      [fx.CMD_GET_PROGRAM, 0x0c, []],
      [fx.CMD_READ_TAG_MULTIPLE, 0x22, [0x00, 0x00, 0x13, 0x01, 0xf4]],
      [fx.CMD_GET_TAG_BUFFER, 0x29, [0x01, 0xff, 0x00]],
      [fx.CMD_CLEAR_TAG_BUFFER, 0x2a, []],
      [fx.CMD_GET_POWER, 0x62, [0x00]],
      [fx.CMD_GET_REGIONS, 0x71, []],
      [fx.CMD_READ_FILTER_OFF, 0x9a, [0x01, 0x0c, 0x00]],
      [fx.CMD_SET_PROTOCOL_PARAM, 0x9b, [0x05, 0x12, 0x00]],
    ];
    for (const [real, opcode, data] of cases) {
      expect(toHex(encodeCommand(opcode, Uint8Array.from(data)))).toBe(toHex(real));
    }
  });

  it('encodeResponse reproduces REAL answers', () => {
    expect(toHex(encodeResponse(0x97, 0))).toBe(toHex(fx.RSP_SET_REGION));
    expect(toHex(encodeResponse(0x22, 0x0400))).toBe(toHex(fx.RSP_KEEPALIVE));
    expect(toHex(encodeResponse(0x2f, 0, Uint8Array.of(0x01, 0x22, 0x00, 0x00)))).toBe(
      toHex(fx.RSP_START_READING),
    );
  });

  it('encodes several antennas as TX=RX pairs of the search list', () => {
    expect(toHex(encodeSetAntennas([1, 2]).subarray(1, 8))).toBe('0591020101' + '0202');
  });

  it('encodes negative power as two’s complement centi-dBm', () => {
    expect(toHex(encodeSetReadPower(-1.5).subarray(3, 5))).toBe('FF6A');
  });

  it('encodes start reading with other metadata flags and cycle', () => {
    const frame = encodeStartReading({ metadataFlags: 0x0006, cycleMs: 250 });
    expect(toHex(frame.subarray(11, 19))).toBe('2210001B00FA0006');
  });

  it('rejects settings it cannot encode', () => {
    expect(() => encodeSetRegion('Mars')).toThrow(/unknown ThingMagic region "Mars".*NA2/);
    expect(() => encodeSetReadPower(400)).toThrow(RangeError);
    expect(() => encodeSetReadPower(Number.NaN)).toThrow(RangeError);
    expect(() => encodeSetAntennas([])).toThrow(RangeError);
    expect(() => encodeSetAntennas([0])).toThrow(RangeError);
    expect(() => encodeSetAntennas([1.5])).toThrow(RangeError);
    expect(() => encodeCommand(0x22, new Uint8Array(249))).toThrow(RangeError);
  });
});
