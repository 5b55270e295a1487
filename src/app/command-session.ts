import type { Logger } from '../observability/logger.js';
import type { Clock, TimerHandle } from '../shared/clock.js';
import type { CommandStep, ReaderMessage } from '../shared/decoding.js';

export interface SessionResult {
  ok: boolean;
  /** Name of the first required step that failed. */
  failedStep?: string;
  reason?: string;
}

interface Waiter {
  step: CommandStep;
  resolve(answer: ReaderMessage | undefined): void;
  timer: TimerHandle;
}

/**
 * Sends a driver's command sequence one step at a time and matches each answer to its request
 * (the "waitress" of a serial protocol stack), with a timeout per step on the injected clock.
 */
export class CommandSession {
  private waiter: Waiter | undefined;
  private generation = 0;

  constructor(
    private readonly clock: Clock,
    private readonly write: (bytes: Uint8Array) => Promise<void>,
    private readonly logger: Logger,
  ) {}

  /** Feed every decoded message here; the one answering the pending step completes it. */
  onMessage(message: ReaderMessage): void {
    const waiter = this.waiter;
    if (waiter?.step.isAnswer?.(message)) {
      this.waiter = undefined;
      this.clock.clearTimeout(waiter.timer);
      waiter.resolve(message);
    }
  }

  /** Abandons a running sequence (port went offline); its `run` resolves as failed. */
  cancel(): void {
    this.generation += 1;
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      this.clock.clearTimeout(waiter.timer);
      waiter.resolve(undefined);
    }
  }

  async run(steps: CommandStep[]): Promise<SessionResult> {
    const generation = this.generation;
    for (const step of steps) {
      if (generation !== this.generation) return { ok: false, failedStep: step.name, reason: 'cancelled' };
      const outcome = await this.runStep(step);
      if (generation !== this.generation) return { ok: false, failedStep: step.name, reason: 'cancelled' };
      if (outcome !== 'ok') {
        if (step.optional) {
          this.logger.debug({ step: step.name, outcome }, 'optional start-up step had no answer');
        } else {
          return { ok: false, failedStep: step.name, reason: outcome };
        }
      }
      if (step.settleMs) await this.sleep(step.settleMs);
    }
    return { ok: true };
  }

  /**
   * Sends one step and returns its answer whatever its status, for the caller to read (a search's
   * "no tags found"), or why there is none.
   */
  async ask(step: CommandStep): Promise<{ answer: ReaderMessage } | { failed: string }> {
    const generation = this.generation;
    const answer = await this.exchange(step);
    if (generation !== this.generation) return { failed: 'cancelled' };
    if (typeof answer === 'string') return { failed: answer };
    if (answer === undefined) return { failed: `no answer within ${step.timeoutMs} ms` };
    if (step.settleMs) await this.sleep(step.settleMs);
    return { answer };
  }

  private async runStep(step: CommandStep): Promise<string> {
    const answer = await this.exchange(step);
    if (typeof answer === 'string') return answer;
    if (!step.isAnswer) return 'ok';
    if (answer === undefined) return `no answer within ${step.timeoutMs} ms`;
    // The device answered but refused (e.g. a region the module does not support).
    if (answer.kind === 'response' && answer.status !== 0) {
      return `refused with status 0x${answer.status.toString(16).padStart(4, '0')}`;
    }
    return 'ok';
  }

  /** Writes the step and waits for its answer: the answer, undefined (none), or why the write failed. */
  private async exchange(step: CommandStep): Promise<ReaderMessage | undefined | string> {
    const answered = step.isAnswer
      ? new Promise<ReaderMessage | undefined>((resolve) => {
          const timer = this.clock.setTimeout(() => {
            if (this.waiter?.step === step) this.waiter = undefined;
            resolve(undefined);
          }, step.timeoutMs);
          this.waiter = { step, resolve, timer };
        })
      : Promise.resolve(undefined);
    try {
      await this.write(step.bytes);
    } catch (error) {
      this.cancelWaiterFor(step);
      return `write failed: ${(error as Error).message}`;
    }
    return answered;
  }

  private cancelWaiterFor(step: CommandStep): void {
    const waiter = this.waiter;
    if (waiter?.step === step) {
      this.waiter = undefined;
      this.clock.clearTimeout(waiter.timer);
      waiter.resolve(undefined);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.clock.setTimeout(resolve, ms));
  }
}
