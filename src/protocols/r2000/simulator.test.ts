import { describe, expect, it } from 'vitest';
import { recorder } from '../../../test/kits/protocols/r2000.js';
import type { CommandStep, ReaderMessage } from '../../shared/decoding.js';
import { encodeGetFirmwareVersion, encodeSetWorkAntenna } from './commands.js';
import { createR2000Decoder } from './decoder.js';
import { pollPlan, type R2000Settings, r2000Driver } from './driver.js';
import { createSimulator, type R2000SimulatorOptions } from './simulator.js';

const TAG_A = Uint8Array.from([0xe2, 0, 0x30, 0x16, 0x66, 0x13, 1, 0x21, 0x15, 0x50, 0x74, 0xef]);
const TAG_B = Uint8Array.from([0x30, 8, 0x33, 0xb2, 0xdd, 0xd9, 1, 0x40, 0, 0, 0, 1]);

/** Runs steps against a simulator through the decoder, as the transport session would. */
function rig(options?: R2000SimulatorOptions) {
  const sim = createSimulator(options);
  const out = recorder();
  const decoder = createR2000Decoder(out);
  function run(step: CommandStep): ReaderMessage | undefined {
    const before = out.messages.length;
    for (const frame of sim.answer(step.bytes)) decoder.push(frame);
    return out.messages.slice(before).find((m) => step.isAnswer?.(m));
  }
  return { sim, out, decoder, run };
}

describe('R2000 simulator round trips', () => {
  it('start-up steps each get their answer, the version as an identity', () => {
    const { out, run } = rig();
    const settings: R2000Settings = { region: 'ETSI', readPowerDbm: 27, antennas: [2] };
    const steps = r2000Driver.startup(settings);
    expect(steps.map((s) => s.name)).toEqual([
      'firmware version',
      'set frequency region',
      'set output power',
      'set work antenna',
    ]);
    for (const step of steps) {
      const answer = run(step);
      expect(answer, step.name).toMatchObject({ kind: 'response' });
      if (step.name !== 'firmware version') expect(answer).toMatchObject({ status: 0 });
    }
    expect(out.messages).toContainEqual({ kind: 'identity', firmware: '1.9', rebooted: false });
  });

  it('each poll reads the field and ends with the summary, on the work antenna', () => {
    const { sim, out, run } = rig();
    sim.setField?.([{ tag: TAG_A }, { tag: TAG_B }]);
    run(r2000Driver.startup({ antennas: [3] }).at(-1) as CommandStep);
    const { step } = pollPlan({ antennas: [3] });
    for (let i = 0; i < 3; i++)
      expect(run(step)).toMatchObject({ kind: 'response', opcode: 0x89, status: 0 });
    expect(out.reads).toHaveLength(6);
    expect(new Set(out.reads.map((r) => r.antenna))).toEqual(new Set([3]));
    expect(out.reads[0]).toEqual({ tag: 'E200301666130121155074EF', antenna: 3, rssi: -55 });
    expect(out.errors).toEqual([]);
  });

  it('8-port reader: antenna 7 comes back through the RSSI high bit', () => {
    const { sim, out, run } = rig({ ports: 8 });
    sim.setField?.([{ tag: TAG_A }]);
    run({ name: 'ant', bytes: encodeSetWorkAntenna(7), timeoutMs: 1 });
    run(pollPlan({}).step);
    expect(out.reads).toEqual([{ tag: 'E200301666130121155074EF', antenna: 7, rssi: -55 }]);
    expect(sim.tagFrame(TAG_B, 8, -40)).toBeDefined();
  });

  it('a session poll uses 0x8B and its summary answers it', () => {
    const { sim, out, run } = rig();
    sim.setField?.([{ tag: TAG_B }]);
    const { step } = pollPlan({ session: 1, target: 'B' });
    expect(run(step)).toMatchObject({ opcode: 0x8b, status: 0 });
    expect(out.reads).toHaveLength(1);
  });

  it('several antennas poll with fast switching; each antenna reads, one final answer', () => {
    const { sim, out, run } = rig({ missingAntennas: [4] });
    sim.setField?.([{ tag: TAG_A }]);
    const { step } = pollPlan({ antennas: [1, 2, 4] });
    expect(run(step)).toMatchObject({ opcode: 0x8a, status: 0 });
    expect(out.reads.map((r) => r.antenna)).toEqual([1, 2]);
    expect(out.messages).toContainEqual({
      kind: 'status',
      level: 'error',
      code: 'antenna-missing',
      detail: 'antenna 4',
    });
  });

  it('a missing antenna ends the poll with an error answer and a status, no reads', () => {
    const { sim, out, run } = rig({ missingAntennas: [1] });
    sim.setField?.([{ tag: TAG_A }]);
    expect(run(pollPlan({}).step)).toMatchObject({ opcode: 0x89, status: 0x22 });
    expect(out.reads).toEqual([]);
    expect(out.messages[0]).toEqual({
      kind: 'status',
      level: 'error',
      code: 'antenna-missing',
      detail: 'antenna 1',
    });
  });

  it('tag and heartbeat frames only once polled; they decode as reads and a summary', () => {
    const { sim, out, decoder, run } = rig();
    expect(sim.tagFrame(TAG_A, 1, -60)).toBeUndefined();
    expect(sim.heartbeatFrame?.()).toBeUndefined();
    run(pollPlan({}).step);
    decoder.push(sim.tagFrame(TAG_A, 2, -60) as Uint8Array);
    decoder.push(sim.heartbeatFrame?.() as Uint8Array);
    expect(out.reads).toEqual([{ tag: 'E200301666130121155074EF', antenna: 2, rssi: -60 }]);
    expect(out.messages.at(-1)).toMatchObject({ kind: 'response', opcode: 0x89, status: 0 });
  });

  it('a tag found with probability 0 is not read', () => {
    const { sim, out, run } = rig();
    sim.setField?.([{ tag: TAG_A, findProbability: 0 }, { tag: TAG_B }]);
    run(pollPlan({}).step);
    expect(out.reads.map((r) => r.tag)).toEqual(['300833B2DDD9014000000001']);
  });

  it('commands split into single bytes and preceded by noise are answered', () => {
    const sim = createSimulator();
    const bytes = Uint8Array.from([0x00, 0xa0, 0x01, ...encodeGetFirmwareVersion()]);
    const frames = Array.from(bytes).flatMap((b) => sim.answer(Uint8Array.of(b)));
    expect(frames).toHaveLength(1);
  });
});

describe('R2000 driver', () => {
  it('is a polled 115200-baud reader (its liveness is its poll plan) with nothing to stop', () => {
    expect(r2000Driver).toMatchObject({ name: 'r2000', kind: 'reader', defaultBaudRate: 115200 });
    expect(r2000Driver.expectedTrafficMs).toBeUndefined();
    expect(r2000Driver.pollPlan?.({})).toBeDefined();
    expect(r2000Driver.shutdown({})).toEqual([]);
  });

  it('the default poll is one 0x89 round to the broadcast address, back to back', () => {
    const { step, everyMs } = pollPlan({});
    expect(Array.from(step.bytes)).toEqual([0xa0, 0x04, 0xff, 0x89, 0x01, 0xd3]);
    expect(everyMs).toBe(0);
    expect(step.isAnswer?.({ kind: 'response', opcode: 0x89, status: 0, data: new Uint8Array(7) })).toBe(
      true,
    );
    expect(step.isAnswer?.({ kind: 'status', level: 'ok', code: 'no-tag' })).toBe(false);
  });

  it('refuses settings it cannot honour, naming the value', () => {
    expect(() => r2000Driver.startup({ readPowerDbm: 40 })).toThrow(/40/);
    expect(() => r2000Driver.startup({ region: 'EU3' })).toThrow(/"EU3"/);
    expect(() => r2000Driver.startup({ antennas: [9] })).toThrow(/antenna 9/);
    expect(() => r2000Driver.startup({ antennas: [1, 6] })).toThrow(/antenna 6/);
    expect(() => r2000Driver.startup({ antennas: [] })).toThrow(/empty/);
    expect(() => r2000Driver.startup({ address: 256 } as R2000Settings)).toThrow(/address 256/);
    expect(() => r2000Driver.startup({ target: 'B' } as R2000Settings)).toThrow(/session/);
    expect(() => pollPlan({ pollIntervalMs: -5 })).toThrow(/-5/);
    expect(() => pollPlan({ roundsPerPoll: 0 })).toThrow(/repeat count 0/);
  });
});
