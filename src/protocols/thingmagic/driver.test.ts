import { describe, expect, it } from 'vitest';
import { recorder, toHex } from '../../../test/kits/protocols/thingmagic.js';
import type { ReaderMessage } from '../../shared/decoding.js';
import { createThingMagicDecoder } from './decoder.js';
import * as fx from './fixtures.js';
import { thingmagicDriver } from './index.js';

/** The messages the decoder makes of REAL answer frames. */
function messagesOf(...frames: Uint8Array[]): ReaderMessage[] {
  const out = recorder();
  const decoder = createThingMagicDecoder(out);
  for (const frame of frames) decoder.push(frame);
  return out.messages;
}

describe('thingmagicDriver', () => {
  it('describes itself', () => {
    expect(thingmagicDriver).toMatchObject({ name: 'thingmagic', kind: 'reader', defaultBaudRate: 115200 });
    expect(thingmagicDriver.createSimulator().tagLength).toBe(12);
  });

  it('starts with stop, drain, version, GEN2, start — and leaves the region alone by default', () => {
    const steps = thingmagicDriver.startup({});
    expect(steps.map((s) => s.name)).toEqual([
      'stop reading',
      'version',
      'set protocol GEN2',
      'start reading',
    ]);
    expect(steps.map((s) => toHex(s.bytes))).toEqual(
      [fx.CMD_STOP_READING, fx.CMD_VERSION, fx.CMD_SET_PROTOCOL_GEN2, fx.CMD_START_READING].map(toHex),
    );
    const [stop] = steps;
    expect(stop).toMatchObject({ optional: true });
    expect(stop?.settleMs).toBeGreaterThan(0);
    for (const step of steps) expect(step.timeoutMs).toBeGreaterThan(0);
  });

  it('adds region, power and antennas when configured, in that order', () => {
    const steps = thingmagicDriver.startup({ region: 'NA2', readPowerDbm: 27, antennas: [1] });
    expect(steps.map((s) => s.name)).toEqual([
      'stop reading',
      'version',
      'set region',
      'set protocol GEN2',
      'set read power',
      'set antennas',
      'start reading',
    ]);
    expect(steps.slice(2, 6).map((s) => toHex(s.bytes))).toEqual(
      [fx.CMD_SET_REGION_NA2, fx.CMD_SET_PROTOCOL_GEN2, fx.CMD_SET_POWER_27_00, fx.CMD_SET_ANTENNA_1].map(
        toHex,
      ),
    );
  });

  it('refuses a region it does not know before sending anything', () => {
    expect(() => thingmagicDriver.startup({ region: 'XX' })).toThrow(/unknown ThingMagic region/);
  });

  it('matches each step to its REAL answer, and not to the neighbours', () => {
    const steps = thingmagicDriver.startup({ region: 'NA2', readPowerDbm: 27, antennas: [1] });
    const answers = [
      fx.RSP_STOP_READING,
      fx.RSP_VERSION,
      fx.RSP_SET_REGION,
      fx.RSP_SET_PROTOCOL,
      fx.RSP_SET_POWER,
      fx.RSP_SET_ANTENNA,
      fx.RSP_START_READING,
    ];
    const responses = answers.map((frame) => messagesOf(frame)[0] as ReaderMessage);
    steps.forEach((step, i) => {
      responses.forEach((response, j) => {
        expect(step.isAnswer?.(response), `${step.name} vs answer ${j}`).toBe(i === j);
      });
    });
  });

  it('does not take streamed tags, heartbeats or the identity for an answer', () => {
    const noise = messagesOf(fx.TAG_T1, fx.RSP_KEEPALIVE, fx.RSP_TEMPERATURE_29C, fx.RSP_VERSION).filter(
      (m) => m.kind !== 'response',
    );
    for (const step of thingmagicDriver.startup({})) {
      for (const message of noise) expect(step.isAnswer?.(message), step.name).toBe(false);
    }
  });

  it('takes a refusal as the answer to start, so the session sees the status', () => {
    const start = thingmagicDriver.startup({}).at(-1);
    expect(
      start?.isAnswer?.({ kind: 'response', opcode: 0x2f, status: 0x0105, data: new Uint8Array() }),
    ).toBe(true);
  });

  it('shuts down by stopping the continuous read', () => {
    const steps = thingmagicDriver.shutdown({});
    expect(steps.map((s) => [s.name, toHex(s.bytes)])).toEqual([
      ['stop reading', toHex(fx.CMD_STOP_READING)],
    ]);
    expect(steps[0]?.isAnswer?.(messagesOf(fx.RSP_STOP_READING)[0] as ReaderMessage)).toBe(true);
  });
});
