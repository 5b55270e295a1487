import { describe, expect, it } from 'vitest';
import type { DecoderOutput, ReaderMessage } from '../../shared/decoding.js';
import { encodeAbort, encodeGetFirmwareVersion, encodeInListPassiveTarget } from './commands.js';
import { createPn532Decoder } from './decoder.js';
import { pn532Driver, pollPlan } from './driver.js';
import * as F from './fixtures.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

function harness() {
  const sim = pn532Driver.createSimulator();
  const reads: string[] = [];
  const messages: ReaderMessage[] = [];
  const output: DecoderOutput = {
    tagRead: (tag, offset, length) => reads.push(hex(tag.subarray(offset, offset + length))),
    message: (message) => messages.push(message),
    decodeError: (error) => {
      throw new Error(`unexpected decode error ${error.reason}`);
    },
  };
  const decoder = pn532Driver.createDecoder(output);
  /** Sends bytes, feeds the answers to the decoder; returns whether each step's answer came. */
  const send = (bytes: Uint8Array) => {
    for (const frame of sim.answer(bytes)) decoder.push(frame);
  };
  const run = (steps: ReturnType<typeof pn532Driver.startup>) =>
    steps.map((step) => {
      const before = messages.length;
      send(step.bytes);
      return messages.slice(before).some((message) => step.isAnswer?.(message) ?? false);
    });
  return { sim, reads, messages, decoder, send, run };
}

describe('PN532 simulator round trips', () => {
  it('answers the start-up only once woken, then polls find the cards of its field', () => {
    const h = harness();
    h.send(encodeGetFirmwareVersion());
    expect(h.messages).toEqual([]);
    expect(h.run(pn532Driver.startup({}))).toEqual([true, true, true]);
    expect(h.messages).toContainEqual({
      kind: 'identity',
      model: 'PN532',
      firmware: '1.6',
      hardware: 'support 0x07',
      rebooted: false,
    });
    const poll = pollPlan({}).step;
    expect(h.run([poll])).toEqual([true]);
    expect(h.reads).toEqual([]);
    h.sim.setField?.([{ tag: F.UID_4_BYTE }, { tag: F.UID_7_BYTE }]);
    expect(h.run([poll, poll])).toEqual([true, true]);
    // One card per poll (MaxTg 1), reported at every poll: the core debounces.
    expect(h.reads).toEqual([hex(F.UID_4_BYTE), hex(F.UID_4_BYTE)]);
    expect(h.decoder.stats.errors).toBe(0);
  });

  it('answers the real poll bytes as the real chip: ACK, then the answer', () => {
    const h = harness();
    h.run(pn532Driver.startup({}));
    h.sim.setField?.([{ tag: F.UID_4_BYTE }]);
    const frames = h.sim.answer(F.IN_LIST_PASSIVE_TARGET);
    expect(frames.map(hex)).toEqual([hex(F.ACK), hex(F.POLL_ANSWER_4_BYTE)]);
  });

  it('leaves a poll without a card unanswered until the retries are finite, as the chip does', () => {
    const sim = pn532Driver.createSimulator();
    const frames = sim.answer(Uint8Array.from([0x55, ...encodeInListPassiveTarget()]));
    expect(frames.map(hex)).toEqual([hex(F.ACK)]);
    // The host's abort is taken silently.
    expect(sim.answer(encodeAbort())).toEqual([]);
  });

  it('answers an unknown or malformed command with the error frame, and ignores a bad checksum', () => {
    const h = harness();
    h.run(pn532Driver.startup({}));
    expect(h.sim.answer(Uint8Array.from([0, 0, 0xff, 2, 0xfe, 0xd4, 0x7e, 0xae, 0])).map(hex)).toEqual([
      hex(F.ACK),
      hex(F.ERROR),
    ]);
    const bad = F.GET_FIRMWARE_VERSION.slice();
    bad[7] = 0x2b;
    expect(h.sim.answer(bad)).toEqual([]);
    expect(h.sim.answer(F.GET_FIRMWARE_VERSION.subarray(0, 4))).toEqual([]);
    expect(h.sim.answer(F.GET_FIRMWARE_VERSION.subarray(4)).map(hex)).toEqual([
      hex(F.ACK),
      hex(F.FIRMWARE_ANSWER.subarray(6)),
    ]);
  });

  it('produces a card read through tagFrame once started, for simulate', () => {
    const h = harness();
    expect(h.sim.tagFrame(F.UID_7_BYTE, 1, -40)).toBeUndefined();
    h.run(pn532Driver.startup({}));
    const frame = h.sim.tagFrame(F.UID_7_BYTE, 1, -40);
    expect(frame && hex(frame)).toBe(hex(F.POLL_ANSWER_7_BYTE.subarray(6)));
    expect(h.sim.tagLength).toBe(4);
    expect(() => h.sim.tagFrame(new Uint8Array(5), 1, 0)).toThrow(/4, 7 or 10 bytes, not 5/);
  });

  it('answers the shutdown', () => {
    const h = harness();
    h.run(pn532Driver.startup({}));
    expect(h.run(pn532Driver.shutdown({}))).toEqual([true]);
  });
});

describe('PN532 driver', () => {
  it('describes one poll: the published InListPassiveTarget, a bounded wait, the interval', () => {
    const plan = pollPlan({});
    expect(hex(plan.step.bytes)).toBe(hex(F.IN_LIST_PASSIVE_TARGET));
    expect(plan.everyMs).toBe(250);
    expect(plan.step.timeoutMs).toBeGreaterThan(0);
    expect(plan.step.isAnswer?.({ kind: 'status', level: 'error', code: 'error-frame' })).toBe(true);
    expect(plan.step.isAnswer?.({ kind: 'response', opcode: 0x02, status: 0, data: new Uint8Array() })).toBe(
      false,
    );
    expect(pollPlan({ pollIntervalMs: 1000 } as Parameters<typeof pollPlan>[0]).everyMs).toBe(1000);
    expect(() => pollPlan({ pollIntervalMs: 10 } as Parameters<typeof pollPlan>[0])).toThrow(
      /pollIntervalMs 10/,
    );
  });

  it('wakes the chip first and names itself', () => {
    const [first] = pn532Driver.startup({});
    expect(hex(first?.bytes.subarray(0, 2) ?? new Uint8Array())).toBe('5555');
    expect(pn532Driver).toMatchObject({ name: 'pn532', kind: 'reader', defaultBaudRate: 115200 });
    expect(pn532Driver.expectedTrafficMs).toBeUndefined();
    expect(createPn532Decoder).toBeTypeOf('function');
  });
});
