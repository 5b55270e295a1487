import { describe, expect, it } from 'vitest';
import type { DecoderOutput } from '../../shared/decoding.js';
import { ID20LA_ESPHOME_13753, RDM6300_ARDUINO_ESP32_1405 } from './fixtures.js';
import { em4100AsciiDriver } from './index.js';

// ID 0500207B32 of ID20LA_ESPHOME_13753 (esphome/esphome#13753), as bytes.
const ESPHOME_TAG = Uint8Array.of(0x05, 0x00, 0x20, 0x7b, 0x32);

describe('em4100AsciiDriver', () => {
  it('describes a push reader at 9600 baud with nothing to send', () => {
    expect(em4100AsciiDriver.name).toBe('em4100-ascii');
    expect(em4100AsciiDriver.kind).toBe('reader');
    expect(em4100AsciiDriver.defaultBaudRate).toBe(9600);
    expect(em4100AsciiDriver.startup({})).toEqual([]);
    expect(em4100AsciiDriver.shutdown({ antennas: [1] })).toEqual([]);
  });

  it('creates decoders that report reads to their output', () => {
    const reads: number[][] = [];
    const output: DecoderOutput = {
      tagRead: (tag, offset, length) => reads.push([...tag.subarray(offset, offset + length)]),
      message: () => {},
      decodeError: () => {},
    };
    const decoder = em4100AsciiDriver.createDecoder(output);
    decoder.push(RDM6300_ARDUINO_ESP32_1405);
    expect(reads).toEqual([[0x0d, 0x00, 0x31, 0x9c, 0xd0]]);
    expect(decoder.stats.reads).toBe(1);
  });

  it('simulates an ID-20LA: no answers, the real frame for a tag', () => {
    const simulator = em4100AsciiDriver.createSimulator();
    expect(simulator.tagLength).toBe(5);
    expect(simulator.answer(Uint8Array.of(0x01, 0x02))).toEqual([]);
    expect(simulator.tagFrame(ESPHOME_TAG, 1, -50)).toEqual(ID20LA_ESPHOME_13753);
  });
});
