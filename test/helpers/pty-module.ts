import { thingmagicDriver } from '../../src/protocols/thingmagic/index.js';
import type { DeviceSimulator } from '../../src/shared/decoding.js';
import type { PtyPair } from './pty.js';
import { drainHost } from './pty-device.js';

/** How often the module below streams (a heartbeat and every tag in its field), in ms. */
export const CYCLE_MS = 100;

/**
 * An M6e played in this process on the device end of a pty: it answers the gateway's commands
 * unless it is `booting` or `hung`, and while reading streams its read cycle every CYCLE_MS.
 */
export class PtyModule {
  booting = false;
  hung = false;
  private tags: string[] = [];
  private simulator: DeviceSimulator = thingmagicDriver.createSimulator();
  private readonly timer: NodeJS.Timeout;
  private readonly buffer = Buffer.alloc(4096);

  constructor(private readonly pty: PtyPair) {
    this.timer = setInterval(() => this.tick(), CYCLE_MS);
  }

  /** The tags in its field: streamed every cycle, and found by a search (a select) for them. */
  get field(): string[] {
    return this.tags;
  }

  set field(tags: string[]) {
    this.tags = tags;
    this.simulator.setField?.(tags.map((tag) => ({ tag: Buffer.from(tag, 'hex') })));
  }

  /** Powered again: a fresh module that has to be started. */
  powerCycle(): void {
    this.simulator = thingmagicDriver.createSimulator();
    this.field = this.tags;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    let fd: number;
    try {
      fd = this.pty.fdA();
    } catch {
      return; // unplugged
    }
    const host = drainHost(fd, this.buffer);
    if (this.booting || this.hung) return;
    try {
      if (host.length > 0) for (const answer of this.simulator.answer(host)) this.pty.writeA(answer);
      const heartbeat = this.simulator.heartbeatFrame?.();
      if (heartbeat === undefined) return;
      for (const tag of this.tags) {
        const frame = this.simulator.tagFrame(Buffer.from(tag, 'hex'), 1, -50);
        if (frame) this.pty.writeA(frame);
      }
      this.pty.writeA(heartbeat);
    } catch {
      // The pty went away between two writes: the next tick finds it unplugged.
    }
  }
}
