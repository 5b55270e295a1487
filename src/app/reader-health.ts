import type { ReaderMessage } from '../shared/decoding.js';

type Status = Extract<ReaderMessage, { kind: 'status' }>;

/**
 * What a reader says of its own health (a missing antenna, too hot, a CRC error it saw): every report
 * counted, only a change of health news, and for a polled reader whether the poll in flight brought a
 * fault, so that a poll answered cleanly ends an error the reader itself never cleared.
 */
export class ReaderHealth {
  /** Faults and warnings reported, every report. */
  faults = 0;
  private current = 'ok';
  private faultThisPoll = false;

  /** A status from the reader; true when its health changed (the pipeline says so). */
  report(status: Status): boolean {
    if (status.level !== 'ok') this.faults += 1;
    if (status.level === 'error') this.faultThisPoll = true;
    const health = status.level === 'ok' ? 'ok' : `${status.level}:${status.code}`;
    if (health === this.current) return false;
    this.current = health;
    return true;
  }

  get inError(): boolean {
    return this.current.startsWith('error:');
  }

  /** The port opened again: a fault reported again now is news, even the one reported before. */
  forget(): void {
    this.current = 'ok';
  }

  pollSent(): void {
    this.faultThisPoll = false;
  }

  /** The poll was answered: true when it brought no fault while the reader is in error (it works again). */
  answeredCleanly(): boolean {
    return !this.faultThisPoll && this.inError;
  }
}
