import { describe, expect, it } from 'vitest';
import { silentLogger } from '../observability/logger.js';
import { VirtualClock } from '../shared/clock.js';
import type { CommandStep, ReaderMessage } from '../shared/decoding.js';
import { CommandSession } from './command-session.js';

const answerTo =
  (opcode: number) =>
  (message: ReaderMessage): boolean =>
    message.kind === 'response' && message.opcode === opcode;

function step(name: string, opcode: number, extra: Partial<CommandStep> = {}): CommandStep {
  return { name, bytes: Uint8Array.of(opcode), isAnswer: answerTo(opcode), timeoutMs: 500, ...extra };
}

/** Lets pending promise callbacks run, so the session reaches its next await. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('CommandSession', () => {
  it('sends each step after the previous one is answered', async () => {
    const clock = new VirtualClock(0);
    const sent: number[] = [];
    const session = new CommandSession(
      clock,
      async (bytes) => void sent.push(bytes[0] as number),
      silentLogger(),
    );
    const run = session.run([step('version', 3), step('start', 0x2f)]);
    await settle();
    expect(sent).toEqual([3]);
    session.onMessage({ kind: 'response', opcode: 0x2f, status: 0, data: new Uint8Array() });
    await settle();
    expect(sent).toEqual([3]);
    session.onMessage({ kind: 'response', opcode: 3, status: 0, data: new Uint8Array() });
    await settle();
    expect(sent).toEqual([3, 0x2f]);
    session.onMessage({ kind: 'response', opcode: 0x2f, status: 0, data: new Uint8Array() });
    await expect(run).resolves.toEqual({ ok: true });
  });

  it('fails a required step that is not answered in time, and goes on past an optional one', async () => {
    const clock = new VirtualClock(0);
    const sent: number[] = [];
    const session = new CommandSession(
      clock,
      async (bytes) => void sent.push(bytes[0] as number),
      silentLogger(),
    );
    const run = session.run([step('stop', 0x2f, { optional: true }), step('version', 3)]);
    await settle();
    clock.advanceTo(500);
    await settle();
    expect(sent).toEqual([0x2f, 3]);
    clock.advanceTo(999);
    await settle();
    clock.advanceTo(1000);
    await expect(run).resolves.toEqual({
      ok: false,
      failedStep: 'version',
      reason: 'no answer within 500 ms',
    });
  });

  it('treats a refusal as a failure', async () => {
    const clock = new VirtualClock(0);
    const session = new CommandSession(clock, async () => {}, silentLogger());
    const run = session.run([step('region', 0x97)]);
    await settle();
    session.onMessage({ kind: 'response', opcode: 0x97, status: 0x0105, data: new Uint8Array() });
    await expect(run).resolves.toEqual({
      ok: false,
      failedStep: 'region',
      reason: 'refused with status 0x0105',
    });
  });

  it('reports a failed write and a cancelled sequence', async () => {
    const clock = new VirtualClock(0);
    const failing = new CommandSession(
      clock,
      async () => {
        throw new Error('port closed');
      },
      silentLogger(),
    );
    await expect(failing.run([step('version', 3)])).resolves.toEqual({
      ok: false,
      failedStep: 'version',
      reason: 'write failed: port closed',
    });
    const session = new CommandSession(clock, async () => {}, silentLogger());
    const run = session.run([step('version', 3), step('start', 0x2f)]);
    await settle();
    session.cancel();
    await expect(run).resolves.toMatchObject({ ok: false, reason: 'cancelled' });
  });
});
