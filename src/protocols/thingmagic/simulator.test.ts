import { describe, expect, it } from 'vitest';
import { concat, recorder, toHex } from '../../../test/kits/protocols/thingmagic.js';
import { createThingMagicDecoder } from './decoder.js';
import * as fx from './fixtures.js';
import { thingmagicDriver } from './index.js';
import { createSimulator } from './simulator.js';

const hexAll = (frames: Uint8Array[]) => frames.map(toHex);
const EPC = Uint8Array.from([0xe2, 0x00, 0x10, 0x26, 0x76, 0x0e, 0x01, 0x79, 0x15, 0x90, 0x71, 0x25]);

describe('ThingMagic simulator', () => {
  it('answers like the real Nano in [TM-LOGS]', () => {
    const sim = createSimulator();
    expect(hexAll(sim.answer(fx.CMD_VERSION))).toEqual(hexAll([fx.RSP_VERSION]));
    expect(hexAll(sim.answer(fx.CMD_SET_REGION_NA2))).toEqual(hexAll([fx.RSP_SET_REGION]));
    expect(hexAll(sim.answer(fx.CMD_SET_PROTOCOL_GEN2))).toEqual(hexAll([fx.RSP_SET_PROTOCOL]));
    expect(hexAll(sim.answer(fx.CMD_SET_POWER_27_00))).toEqual(hexAll([fx.RSP_SET_POWER]));
    expect(hexAll(sim.answer(fx.CMD_SET_ANTENNA_1))).toEqual(hexAll([fx.RSP_SET_ANTENNA]));
    expect(hexAll(sim.answer(fx.CMD_SET_BAUD_115200))).toEqual(hexAll([fx.RSP_SET_BAUD]));
    expect(hexAll(sim.answer(fx.CMD_START_READING))).toEqual(hexAll([fx.RSP_START_READING]));
    expect(hexAll(sim.answer(fx.CMD_STOP_READING))).toEqual(hexAll([fx.RSP_KEEPALIVE, fx.RSP_STOP_READING]));
  });

  it('refuses opcodes it does not play with "invalid opcode"', () => {
    const [answer] = createSimulator().answer(fx.CMD_GET_REGIONS);
    expect(toHex(answer?.subarray(0, 5) ?? [])).toBe('FF00710101');
  });

  it('parses commands split anywhere and skips noise and corrupt commands', () => {
    const corrupt = fx.CMD_SET_PROTOCOL_GEN2.slice();
    corrupt[4] = 0x06;
    const host = concat([0x00, 0xff, 0x13], fx.CMD_VERSION, corrupt, fx.CMD_START_READING);
    for (let cut = 0; cut <= host.length; cut++) {
      const sim = createSimulator();
      const frames = [...sim.answer(host.subarray(0, cut)), ...sim.answer(host.subarray(cut))];
      expect(hexAll(frames), `cut ${cut}`).toEqual(hexAll([fx.RSP_VERSION, fx.RSP_START_READING]));
    }
  });

  it('streams tag frames only between start and stop', () => {
    const sim = createSimulator();
    expect(sim.tagLength).toBe(12);
    expect(sim.tagFrame(EPC, 1, -60)).toBeUndefined();
    sim.answer(fx.CMD_START_READING);
    expect(sim.tagFrame(EPC, 1, -60)).toBeInstanceOf(Uint8Array);
    sim.answer(fx.CMD_STOP_READING);
    expect(sim.tagFrame(EPC, 1, -60)).toBeUndefined();
  });

  it('lays tag frames out like the REAL T4 frame (0x01FF metadata, PC 0x3000, same EPC)', () => {
    const sim = createSimulator();
    sim.answer(fx.CMD_START_READING);
    const frame = sim.tagFrame(EPC, 1, -55) as Uint8Array;
    expect(frame.length).toBe(fx.TAG_T4.length);
    // Header through antenna, then protocol … EPC … tag CRC: all but frequency, timestamp and frame CRC.
    expect(toHex(frame.subarray(0, 14))).toBe(toHex(fx.TAG_T4.subarray(0, 14)));
    expect(toHex(frame.subarray(21, 45))).toBe(toHex(fx.TAG_T4.subarray(21, 45)));
  });

  it('round-trips through the decoder: tag, antenna and RSSI', () => {
    const sim = createSimulator();
    sim.answer(fx.CMD_START_READING);
    const out = recorder();
    const decoder = createThingMagicDecoder(out);
    const cases: [number, number][] = [
      [1, -60],
      [2, -31],
      [16, -90],
      [4, 0],
    ];
    for (const [antenna, rssi] of cases) decoder.push(sim.tagFrame(EPC, antenna, rssi) as Uint8Array);
    decoder.push(sim.tagFrame(Uint8Array.of(0xcc, 0xdd), 3, -200.4) as Uint8Array);
    expect(out.reads).toEqual([
      ...cases.map(([antenna, rssi]) => ({ tag: toHex(EPC), antenna, rssi })),
      { tag: 'CCDD', antenna: 3, rssi: -128 },
    ]);
    expect(out.errors).toEqual([]);
  });

  it('rejects tags and antennas a Gen2 reader cannot report', () => {
    const sim = createSimulator();
    sim.answer(fx.CMD_START_READING);
    expect(() => sim.tagFrame(Uint8Array.of(1, 2, 3), 1, -50)).toThrow(RangeError);
    expect(() => sim.tagFrame(new Uint8Array(64), 1, -50)).toThrow(RangeError);
    expect(() => sim.tagFrame(EPC, 0, -50)).toThrow(RangeError);
  });

  it('answers every step of the driver start-up and shutdown, as each step expects', () => {
    const sim = createSimulator();
    const out = recorder();
    const decoder = createThingMagicDecoder(out);
    const settings = { region: 'EU3', readPowerDbm: 20, antennas: [1, 2] };
    const steps = [...thingmagicDriver.startup(settings), ...thingmagicDriver.shutdown(settings)];
    // Named here, so a step added, dropped or renamed in the driver fails this test instead of
    // slipping past it.
    const expected = [
      'stop reading',
      'version',
      'set region',
      'set protocol GEN2',
      'set read power',
      'set antennas',
      'start reading',
      'stop reading',
    ];
    expect(steps.map((step) => step.name)).toEqual(expected);
    const answered: string[] = [];
    const streaming: boolean[] = [];
    for (const step of steps) {
      out.messages.length = 0;
      for (const frame of sim.answer(step.bytes)) decoder.push(frame);
      const answer = out.messages.find((message) => step.isAnswer?.(message) === true);
      // `isAnswer` also accepts a refusal (so the session can report it): a success has status 0.
      if (answer?.kind === 'response' && answer.status === 0) answered.push(step.name);
      streaming.push(sim.tagFrame(EPC, 1, -50) !== undefined);
    }
    expect(answered).toEqual(expected);
    // Tag frames flow after "start reading" and only until the final "stop reading".
    expect(streaming).toEqual([false, false, false, false, false, false, true, false]);
    expect(out.errors).toEqual([]);
  });
});
