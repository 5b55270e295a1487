import { readSync } from 'node:fs';
import type { DeviceSimulator } from '../../src/shared/decoding.js';
import type { PtyPair } from './pty.js';

/** How often the device below looks at what the gateway wrote, in ms. */
export const ANSWER_EVERY_MS = 10;

/** What the gateway wrote to the pty since the last call (nothing when it wrote nothing). */
export function drainHost(fd: number, buffer: Buffer): Uint8Array {
  const chunks: Buffer[] = [];
  for (;;) {
    try {
      const read = readSync(fd, buffer, 0, buffer.length, null);
      if (read <= 0) break;
      chunks.push(Buffer.from(buffer.subarray(0, read)));
    } catch {
      break; // EAGAIN: nothing more
    }
  }
  return Buffer.concat(chunks);
}

export interface PtyDeviceOptions {
  /**
   * For a reader that reports reads by itself once started (a Chafon in scan mode): every this many
   * ms each tag of the field as the simulator pushes it (`tagFrame`; nothing while it does not).
   */
  pushEveryMs?: number;
}

/**
 * A command–response reader (R2000, Chafon in answer mode, PN532) played in this process on the
 * device end of a pty by its driver's own simulator: it answers whatever the gateway sends (its
 * start-up, its polls) from the tags or cards in its `field`, unless it is `hung` (port open,
 * nothing answered) or `booting` (as hung, after a replug). Unplugging is the pty's `kill()`.
 * Everything the gateway wrote reaches `heard`, answered or not.
 */
export class PtyDevice {
  hung = false;
  booting = false;
  /** The bytes the gateway wrote, in order, across replugs. */
  heard: Buffer = Buffer.alloc(0);
  private tags: string[] = [];
  private simulator: DeviceSimulator;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly buffer = Buffer.alloc(4096);

  constructor(
    private readonly pty: PtyPair,
    private readonly create: () => DeviceSimulator,
    options: PtyDeviceOptions = {},
  ) {
    this.simulator = create();
    this.timers.push(setInterval(() => this.tick(), ANSWER_EVERY_MS));
    if (options.pushEveryMs !== undefined)
      this.timers.push(setInterval(() => this.push(), options.pushEveryMs));
  }

  /** The tags (hex) in front of the reader: what its polls find. */
  get field(): string[] {
    return this.tags;
  }

  set field(tags: string[]) {
    this.tags = tags;
    this.simulator.setField?.(tags.map((tag) => ({ tag: Buffer.from(tag, 'hex') })));
  }

  /** Powered again: a fresh device that has to be started (a PN532 asleep until woken). */
  powerCycle(): void {
    this.simulator = this.create();
    this.field = this.tags;
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
  }

  private tick(): void {
    let fd: number;
    try {
      fd = this.pty.fdA();
    } catch {
      return; // unplugged
    }
    const host = drainHost(fd, this.buffer);
    if (host.length > 0) this.heard = Buffer.concat([this.heard, host]);
    if (this.booting || this.hung || host.length === 0) return;
    try {
      for (const answer of this.simulator.answer(host)) this.pty.writeA(answer);
    } catch {
      // The pty went away between two writes: the next tick finds it unplugged.
    }
  }

  private push(): void {
    if (this.booting || this.hung) return;
    try {
      for (const tag of this.tags) {
        const frame = this.simulator.tagFrame(Buffer.from(tag, 'hex'), 1, -55);
        if (frame) this.pty.writeA(frame);
      }
    } catch {
      // Unplugged, or it went away between two writes.
    }
  }
}
