import type { Clock } from '../../shared/clock.js';
import type { DisplayDriver } from '../types.js';
import {
  LCD_CLEAR_WAIT_MS,
  LCD_SIZES,
  type LcdCommands,
  type LcdModel,
  type LcdSize,
  lcdCommands,
} from './commands.js';
import { changedRuns } from './frame-diff.js';
import { lcdFrame } from './text.js';

export interface SerialLcdOptions {
  /** The name in logs, e.g. `/dev/ttyUSB2`. */
  target: string;
  model: LcdModel;
  size: LcdSize;
  /** Writes to the display's port; the caller owns the port. */
  write: (bytes: Uint8Array) => Promise<void>;
  clock: Clock;
}

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * An HD44780 character display behind a SerLCD or Matrix Orbital style backpack. It keeps a copy of
 * what the screen shows and sends only the cells that changed, which is fewer bytes at 9600 baud and
 * no flicker. Shows are painted one at a time; the shows that arrive meanwhile collapse into one,
 * painted with the latest lines once the running paint has written its bytes.
 */
export class SerialLcd implements DisplayDriver {
  readonly target: string;
  readonly columns: number;
  readonly rows: number;
  private readonly commands: LcdCommands;
  private readonly size: LcdSize;
  private readonly write: (bytes: Uint8Array) => Promise<void>;
  private readonly clock: Clock;
  /** What the screen shows; undefined when unknown, which the next paint answers with a clear. */
  private screen: string[] | undefined;
  /** Bumped by `invalidate`, so that a paint running at that moment does not claim the screen. */
  private epoch = 0;
  private next: { frame: string[]; waiters: Waiter[] } | undefined;
  private painting = false;

  constructor(options: SerialLcdOptions) {
    const size = LCD_SIZES[options.size];
    if (size === undefined) throw new RangeError(`unknown LCD size ${JSON.stringify(options.size)}`);
    this.target = options.target;
    this.columns = size.columns;
    this.rows = size.rows;
    this.size = options.size;
    this.commands = lcdCommands(options.model);
    this.write = options.write;
    this.clock = options.clock;
  }

  show(lines: readonly string[]): Promise<void> {
    const frame = this.frameOf(lines);
    return new Promise<void>((resolve, reject) => {
      if (this.next === undefined) this.next = { frame, waiters: [{ resolve, reject }] };
      else {
        this.next.frame = frame;
        this.next.waiters.push({ resolve, reject });
      }
      if (!this.painting) void this.paintPending();
    });
  }

  invalidate(): void {
    this.epoch++;
    this.screen = undefined;
  }

  /** The lines as the screen will hold them: ASCII, one string of `columns` cells per row. */
  private frameOf(lines: readonly string[]): string[] {
    const frame = lcdFrame(lines, this.columns, this.rows);
    if (this.commands.lastCellScrolls) {
      const last = frame[this.rows - 1] as string;
      frame[this.rows - 1] = `${last.slice(0, -1)} `;
    }
    return frame;
  }

  private async paintPending(): Promise<void> {
    this.painting = true;
    try {
      for (let batch = this.next; batch !== undefined; batch = this.next) {
        this.next = undefined;
        try {
          await this.paint(batch.frame);
          for (const waiter of batch.waiters) waiter.resolve();
        } catch (error) {
          for (const waiter of batch.waiters) waiter.reject(error);
        }
      }
    } finally {
      this.painting = false;
    }
  }

  private async paint(frame: string[]): Promise<void> {
    const epoch = this.epoch;
    let screen = this.screen;
    // Until this paint has finished, nobody knows what the screen shows: a failed or half-sent
    // write leaves it unknown, and the next paint starts over with a clear.
    this.screen = undefined;
    if (screen === undefined) {
      const { startup, clear } = this.commands;
      await this.write(concat([startup(this.size), clear]));
      await this.sleep(LCD_CLEAR_WAIT_MS);
      screen = Array.from({ length: this.rows }, () => ' '.repeat(this.columns));
    }
    const runs = changedRuns(screen, frame, {
      cursorBytes: this.commands.cursorBytes,
      textBytes: (text) => this.commands.text(text).length,
    });
    if (runs.length > 0) {
      await this.write(
        concat(
          runs.flatMap((run) => [this.commands.cursor(run.row, run.column), this.commands.text(run.text)]),
        ),
      );
    }
    if (epoch === this.epoch) this.screen = frame;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.clock.setTimeout(resolve, ms));
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
