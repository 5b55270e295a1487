import { describe, expect, it } from 'vitest';
import { LCD_CLEAR_WAIT_MS, lcdCommands, MATRIX_ORBITAL, SERLCD } from './commands.js';

// Every expectation is written out from devices.md §2, not computed.
const bytes = (data: Uint8Array) => [...data];

describe('SerLCD / OpenLCD commands', () => {
  it('clears with the HD44780 instruction and turns the display on without a cursor', () => {
    expect(bytes(SERLCD.clear)).toEqual([0xfe, 0x01]);
    expect(bytes(SERLCD.startup('16x2'))).toEqual([0xfe, 0x0c]);
    expect(bytes(SERLCD.startup('20x4'))).toEqual([0xfe, 0x0c]);
  });

  it('positions the cursor at FE 80|address with the HD44780 row starts 00 40 14 54', () => {
    expect(bytes(SERLCD.cursor(0, 0))).toEqual([0xfe, 0x80]);
    expect(bytes(SERLCD.cursor(0, 15))).toEqual([0xfe, 0x8f]);
    expect(bytes(SERLCD.cursor(1, 0))).toEqual([0xfe, 0xc0]);
    expect(bytes(SERLCD.cursor(1, 5))).toEqual([0xfe, 0xc5]);
    expect(bytes(SERLCD.cursor(2, 0))).toEqual([0xfe, 0x94]);
    expect(bytes(SERLCD.cursor(3, 0))).toEqual([0xfe, 0xd4]);
    expect(bytes(SERLCD.cursor(3, 19))).toEqual([0xfe, 0xe7]);
    expect(SERLCD.cursorBytes).toBe(2);
  });

  it('doubles | (7C), the settings prefix', () => {
    expect(bytes(SERLCD.text('a|b'))).toEqual([0x61, 0x7c, 0x7c, 0x62]);
    expect(bytes(SERLCD.text('Hi!'))).toEqual([0x48, 0x69, 0x21]);
  });
});

describe('Matrix Orbital (Adafruit backpack) commands', () => {
  it('sets the size, turns the display on, both cursors off, and clears with FE 58', () => {
    expect(bytes(MATRIX_ORBITAL.startup('20x4'))).toEqual([
      ...[0xfe, 0xd1, 0x14, 0x04],
      ...[0xfe, 0x42, 0x00],
      ...[0xfe, 0x4b],
      ...[0xfe, 0x54],
    ]);
    expect(bytes(MATRIX_ORBITAL.startup('16x2'))).toEqual([
      ...[0xfe, 0xd1, 0x10, 0x02],
      ...[0xfe, 0x42, 0x00],
      ...[0xfe, 0x4b],
      ...[0xfe, 0x54],
    ]);
    expect(bytes(MATRIX_ORBITAL.clear)).toEqual([0xfe, 0x58]);
  });

  it('positions the cursor at FE 47 column row, counted from 1', () => {
    expect(bytes(MATRIX_ORBITAL.cursor(0, 0))).toEqual([0xfe, 0x47, 0x01, 0x01]);
    expect(bytes(MATRIX_ORBITAL.cursor(1, 5))).toEqual([0xfe, 0x47, 0x06, 0x02]);
    expect(bytes(MATRIX_ORBITAL.cursor(3, 19))).toEqual([0xfe, 0x47, 0x14, 0x04]);
    expect(MATRIX_ORBITAL.cursorBytes).toBe(4);
  });

  it('sends text as it is, | included', () => {
    expect(bytes(MATRIX_ORBITAL.text('a|b'))).toEqual([0x61, 0x7c, 0x62]);
  });
});

describe('both models', () => {
  it('are chosen by name', () => {
    expect(lcdCommands('serlcd')).toBe(SERLCD);
    expect(lcdCommands('matrix-orbital')).toBe(MATRIX_ORBITAL);
  });

  it('refuse text that is not printable ASCII and cells off the controller', () => {
    for (const commands of [SERLCD, MATRIX_ORBITAL]) {
      expect(() => commands.text('Café')).toThrow(RangeError);
      expect(() => commands.text('a\nb')).toThrow(RangeError);
      expect(() => commands.cursor(4, 0)).toThrow(RangeError);
      expect(() => commands.cursor(0, 20)).toThrow(RangeError);
      expect(() => commands.cursor(-1, 0)).toThrow(RangeError);
    }
  });

  it('wait the 5 ms devices.md gives after a clear', () => {
    expect(LCD_CLEAR_WAIT_MS).toBe(5);
  });
});
