import { describe, expect, it } from 'vitest';
import { OpenScaleDecodeReason, parseOpenScaleLine, toGrams } from './line.js';

const reading = (grams: number, unit: 'kg' | 'lbs') => ({ kind: 'reading', grams, unit });
const malformed = { kind: 'error', reason: OpenScaleDecodeReason.malformedReading };

describe('parseOpenScaleLine', () => {
  it('reads each layout loop() prints: timestamp, weight, unit, raw, local and remote temperature', () => {
    expect(parseOpenScaleLine('1041,0.77,lbs,23.94,')).toEqual(reading(349.3, 'lbs'));
    expect(parseOpenScaleLine('0.77,lbs,')).toEqual(reading(349.3, 'lbs'));
    expect(parseOpenScaleLine('0.350,kg,8437620,4.125,3.875,')).toEqual(reading(350, 'kg'));
    expect(parseOpenScaleLine('51588595,12.3456,kg,8437620,24.7500,0,')).toEqual(reading(12345.6, 'kg'));
    expect(parseOpenScaleLine('2,kg,')).toEqual(reading(2000, 'kg'));
    // Without the last comma (not what v1.2 prints): still one field per value.
    expect(parseOpenScaleLine('0.35,kg')).toEqual(reading(350, 'kg'));
  });

  it('converts to grams, rounded to 0.1 g, negative below the tare, never -0', () => {
    expect(toGrams(1, 'lbs')).toBe(453.6);
    expect(toGrams(1.005, 'kg')).toBe(1005);
    expect(toGrams(0.0001, 'kg')).toBe(0.1);
    expect(parseOpenScaleLine('1959,-0.01,lbs,24.00,')).toEqual(reading(-4.5, 'lbs'));
    expect(Object.is(toGrams(-0.00001, 'kg'), 0)).toBe(true);
    // millis() in a signed long goes negative after 24.8 days: still a timestamp.
    expect(parseOpenScaleLine('-2147480000,0.35,kg,')).toEqual(reading(350, 'kg'));
  });

  it('reports the weight an uncalibrated scale prints as no weight', () => {
    for (const weight of ['nan', 'inf', '-inf', 'ovf']) {
      expect(parseOpenScaleLine(`1041,${weight},lbs,23.94,`)).toEqual({
        kind: 'error',
        reason: OpenScaleDecodeReason.noWeight,
      });
    }
  });

  it('refuses a line that starts like a reading but is not one in full', () => {
    for (const line of [
      '1041,0.77,lb,23.94,', // a unit it does not print
      '1041,0.77,', // cut before the unit
      '1041,0.7a7,lbs,', // a bad weight
      'x1,0.77,lbs,', // a bad timestamp
      '0.77,lbs,1,2,3,4,', // more fields than the firmware has
      '0.77,lbs,23.9x,', // a bad extra field
      '1,2,3,kg,', // the unit too far right
      '.52,lbs,',
      '0.77 lbs',
      'nan,',
    ]) {
      expect(parseOpenScaleLine(line), line).toEqual(malformed);
    }
  });

  it('takes the banner, the boot lines and the menu as text, the banner with its version', () => {
    expect(parseOpenScaleLine('Serial Load Cell Converter version 1.2')).toEqual({
      kind: 'text',
      text: 'Serial Load Cell Converter version 1.2',
      firmware: '1.2',
    });
    for (const line of [
      'Readings:',
      'Minimum time between reports: 458',
      'Press x to bring up settings',
      '1) Tare scale to zero [8402113]',
      '6) Change units of measure [kg]',
      "c) Trigger character: [33 / '!']",
      'Units set to kg',
      '>Exiting',
      'Current Reading: 0.7712lbs',
    ]) {
      expect(parseOpenScaleLine(line), line).toEqual({ kind: 'text', text: line });
    }
  });
});
