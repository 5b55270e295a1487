import { describe, expect, it } from 'vitest';
import type { ReaderMessage } from '../../shared/decoding.js';
import { encodeInventory, encodeReaderInfo, encodeSetWorkMode } from './commands.js';
import { createChafonDecoder } from './decoder.js';
import { type ChafonSettings, chafonDriver, pollPlan } from './driver.js';
import { Status } from './frame.js';
import { createSimulator } from './simulator.js';

const toHex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

function harness(layout?: 'reader18' | 'reader288') {
  const sim = createSimulator({ layout });
  const reads: string[] = [];
  const messages: ReaderMessage[] = [];
  const decoder = createChafonDecoder({
    tagRead: (tag, offset, length, antenna) =>
      reads.push(`${toHex(tag.subarray(offset, offset + length))}@${antenna}`),
    message: (message) => messages.push(message),
    decodeError: (error) => {
      throw new Error(`unexpected decode error ${error.reason}`);
    },
  });
  const send = (bytes: Uint8Array) => {
    for (const frame of sim.answer(bytes)) decoder.push(frame);
  };
  return { sim, reads, messages, send };
}

const tag = (n: number) => Uint8Array.from({ length: 12 }, (_, i) => (i === 11 ? n : 0x30));

describe('chafon simulator round trips', () => {
  it('answers every start-up step, and the poll step sees its final answer', () => {
    const { messages, send } = harness();
    const settings: ChafonSettings = { region: 'EU', readPowerDbm: 20, scanTimeMs: 500 };
    for (const step of chafonDriver.startup(settings)) {
      const before = messages.length;
      send(step.bytes);
      expect(messages.slice(before).some((m) => step.isAnswer?.(m))).toBe(true);
    }
    expect(messages.find((m) => m.kind === 'identity')).toMatchObject({ model: 'UHFReader288M' });
    const plan = pollPlan({});
    expect(plan?.everyMs).toBe(250);
    const before = messages.length;
    send(plan?.step.bytes ?? new Uint8Array(0));
    expect(messages.slice(before).filter((m) => plan?.step.isAnswer?.(m))).toHaveLength(1);
  });

  it('reports reads at the next poll, over several frames when many, with their antennas', () => {
    const { sim, reads, messages, send } = harness();
    send(encodeReaderInfo());
    for (let n = 0; n < 30; n++) expect(sim.tagFrame(tag(n), (n % 2) + 1, -50)).toBeUndefined();
    const plan = pollPlan({});
    const before = messages.length;
    send(encodeInventory());
    expect(reads).toHaveLength(30);
    expect(reads[1]).toBe(`${toHex(tag(1))}@2`);
    const answers = messages.slice(before).filter((m) => m.kind === 'response');
    expect(answers.length).toBeGreaterThan(1);
    expect(answers.filter((m) => plan?.step.isAnswer?.(m))).toHaveLength(1);
    // Nothing read since: "no tag".
    send(encodeInventory());
    expect(messages.at(-1)).toEqual({ kind: 'status', level: 'ok', code: 'no-tag' });
  });

  it('plays the UHFReader18 layout (no antenna) and scan mode pushes', () => {
    const { sim, reads, send } = harness('reader18');
    send(encodeReaderInfo());
    sim.tagFrame(tag(7), 1, -50);
    send(encodeInventory());
    expect(reads).toEqual([`${toHex(tag(7))}@0`]);
    send(encodeSetWorkMode('scan'));
    const pushed = sim.tagFrame(tag(8), 1, -50);
    expect(pushed).toBeDefined();
    const decoderReads: string[] = [];
    createChafonDecoder({
      tagRead: (t, o, l) => decoderReads.push(toHex(t.subarray(o, o + l))),
      message: () => {},
      decodeError: () => {},
    }).push(pushed ?? new Uint8Array(0));
    expect(decoderReads).toEqual([toHex(tag(8))]);
    // In scan mode the reader ignores inventories.
    expect(sim.answer(encodeInventory())).toEqual([]);
    expect(pollPlan({ mode: 'scan' })).toBeUndefined();
    const scan: ChafonSettings = { mode: 'scan' };
    expect(chafonDriver.shutdown(scan)).toHaveLength(1);
  });

  it('refuses a poll interval out of range, naming it', () => {
    expect(() => pollPlan({ pollIntervalMs: 10 })).toThrow(/poll interval 10 ms/);
    expect(pollPlan({ scanTimeMs: 2000 })?.step.timeoutMs).toBe(2500);
  });
});

describe('the simulated Chafon field', () => {
  it('reports the tags in front of it at every inventory, as the reader does', () => {
    const sim = createSimulator({ layout: 'reader288' });
    const tag = Uint8Array.of(0xe2, 0x00, 0x00, 0x01);
    sim.setField([{ tag }]);
    const reads: string[] = [];
    const decoder = createChafonDecoder({
      tagRead: (bytes, offset, length) =>
        reads.push(Buffer.from(bytes.subarray(offset, offset + length)).toString('hex')),
      message: () => {},
      decodeError: () => {},
    });
    decoder.push(sim.answer(encodeReaderInfo())[0] as Uint8Array);
    for (let round = 0; round < 3; round++)
      for (const frame of sim.answer(encodeInventory())) decoder.push(frame);
    expect(reads).toEqual(['e2000001', 'e2000001', 'e2000001']);
    sim.setField([]);
    const [none] = sim.answer(encodeInventory());
    expect(none?.[3]).toBe(Status.noTag);
  });
});
