import type { DecoderOutput, DecoderStats, StreamDecoder } from '../shared/decoding.js';

/**
 * A run of dropped bytes is reported once, when a good frame ends it; a longer run is reported in
 * pieces of this size, so that a reader on the wrong baud rate still shows up in the logs.
 */
export const MAX_REPORTED_RUN = 1024;

/**
 * What every binary frame decoder shares: a fixed carry buffer that chunks are copied into (nothing
 * allocated per chunk), the stream offset of its first byte, the stats, and dropped bytes reported as
 * runs (one decode error per run of garbage, whatever the chunking). A family's decoder finds frames
 * in `buf[0..fill)` in its `scan()`, calls `drop` for what it skips and `consumed(pos)` for what it used.
 */
export abstract class CarryDecoder<Reason extends string> implements StreamDecoder {
  protected readonly counts: DecoderStats = { bytes: 0, frames: 0, reads: 0, errors: 0, droppedBytes: 0 };
  protected readonly buf: Uint8Array;
  protected fill = 0;
  /** Stream offset of buf[0]. */
  protected base = 0;
  private runStart = 0;
  private runBytes = 0;
  private runReason: Reason;

  constructor(
    protected readonly output: DecoderOutput,
    capacity: number,
    private readonly resetReason: Reason,
  ) {
    this.buf = new Uint8Array(capacity);
    this.runReason = resetReason;
  }

  get stats(): Readonly<DecoderStats> {
    return this.counts;
  }

  /** Bytes held back waiting for the rest of a frame; never more than the carry's capacity. */
  get buffered(): number {
    return this.fill;
  }

  push(chunk: Uint8Array): void {
    this.counts.bytes += chunk.length;
    const capacity = this.buf.length;
    let taken = 0;
    while (taken < chunk.length) {
      const count = Math.min(chunk.length - taken, capacity - this.fill);
      this.buf.set(count === chunk.length ? chunk : chunk.subarray(taken, taken + count), this.fill);
      this.fill += count;
      taken += count;
      this.scan();
    }
  }

  reset(): void {
    if (this.fill > 0) this.drop(0, this.fill, this.resetReason);
    this.flushRun();
    this.base += this.fill;
    this.fill = 0;
  }

  /** Finds frames in buf[0..fill), dropping what is not one; keeps an incomplete frame for later. */
  protected abstract scan(): void;

  protected drop(at: number, count: number, reason: Reason): void {
    if (this.runBytes === 0) {
      this.runStart = this.base + at;
      this.runReason = reason;
      this.counts.errors++;
    }
    this.runBytes += count;
    this.counts.droppedBytes += count;
    if (this.runBytes >= MAX_REPORTED_RUN) this.flushRun();
  }

  /**
   * Drops the bytes from `pos` up to the next `startByte` (or the end of what is buffered) as
   * `reason`, and returns where the next frame may start: the resynchronisation of every protocol
   * whose frames open with one fixed byte.
   */
  protected skipTo(startByte: number, pos: number, reason: Reason): number {
    let next = this.buf.indexOf(startByte, pos);
    if (next < 0 || next >= this.fill) next = this.fill;
    this.drop(pos, next - pos, reason);
    return next;
  }

  /** Ends the current run of dropped bytes (a good frame follows it), reporting it. */
  protected flushRun(): void {
    if (this.runBytes === 0) return;
    const droppedBytes = this.runBytes;
    this.runBytes = 0;
    this.output.decodeError({ reason: this.runReason, streamOffset: this.runStart, droppedBytes });
  }
}
