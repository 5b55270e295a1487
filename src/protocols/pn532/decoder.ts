import type { DecoderOutput } from '../../shared/decoding.js';
import { CarryDecoder } from '../carry-decoder.js';

import { byteSum, Command, MAX_EXTENDED_PAYLOAD, TFI_ERROR, TFI_PN532 } from './frame.js';
import { createTarget, parseTypeATarget, type TargetProblem } from './target.js';

/**
 * Over twice the longest frame: after a scan at most one incomplete frame is left, so there is
 * always room for the next slice of input and the buffer never has to grow.
 */
export const CARRY_CAPACITY = 1024;
/** A run of dropped bytes is reported once a good frame ends it, or in pieces of this size. */
/** InListPassiveTarget answers at most two targets (MaxTg ≤ 2). */
const MAX_TARGETS = 2;
const IC_PN532 = 0x32;

export type Pn532DropReason = 'garbage' | 'bad-header' | 'bad-checksum' | 'bad-postamble' | 'reset';

/**
 * PN532 → host byte stream decoder. A frame starts at `00 00 FF`; its length is trusted only once
 * LCS, a plausible TFI and code (D5 and an odd answer code, or the 7F error frame), DCS and the
 * postamble all agree. A failed candidate costs exactly its first byte, so a good frame behind a
 * false start is never skipped.
 *
 * Reports: a card UID per target of an InListPassiveTarget answer (antenna 0, RSSI NaN), then the
 * answer itself as a `response` whose `opcode` is the command it answers (answer code − 1) and
 * whose `data` follows the answer code (`status` is 0: PN532 answers carry no common status
 * field); GetFirmwareVersion also as `identity`; NACK and the error frame as `status`. An ACK is a
 * good frame and nothing else: the answer behind it is what matters.
 */
export class Pn532Decoder extends CarryDecoder<Pn532DropReason> {
  private readonly target = createTarget();

  constructor(output: DecoderOutput) {
    super(output, CARRY_CAPACITY, 'reset');
  }

  protected scan(): void {
    const buf = this.buf;
    const fill = this.fill;
    let pos = 0;
    while (pos < fill) {
      if (buf[pos] !== 0x00) {
        let next = buf.indexOf(0x00, pos);
        if (next < 0 || next >= fill) next = fill;
        this.drop(pos, next - pos, 'garbage');
        pos = next;
        continue;
      }
      if (pos + 3 > fill) break;
      if (buf[pos + 1] !== 0x00 || buf[pos + 2] !== 0xff) {
        this.drop(pos, 1, 'garbage');
        pos += 1;
        continue;
      }
      const end = this.frameEnd(pos, fill);
      if (end === 0) break;
      if (end < 0) {
        this.drop(pos, 1, end === -2 ? 'bad-checksum' : end === -3 ? 'bad-postamble' : 'bad-header');
        pos += 1;
        continue;
      }
      this.flushRun();
      this.counts.frames++;
      this.dispatch(pos, end);
      pos = end;
    }
    if (pos > 0) {
      buf.copyWithin(0, pos, fill);
      this.fill = fill - pos;
      this.base += pos;
    }
  }

  /**
   * End of the frame at `pos` (after `00 00 FF`): 0 = need more bytes, -1 bad header, -2 bad DCS,
   * -3 bad postamble.
   */
  private frameEnd(pos: number, fill: number): number {
    const buf = this.buf;
    if (pos + 5 > fill) return 0;
    const len = buf[pos + 3] as number;
    const lcs = buf[pos + 4] as number;
    if ((len === 0x00 && lcs === 0xff) || (len === 0xff && lcs === 0x00)) {
      // ACK or NACK: six bytes, postamble included.
      if (pos + 6 > fill) return 0;
      return buf[pos + 5] === 0x00 ? pos + 6 : -3;
    }
    let payload: number;
    let head: number;
    if (len === 0xff && lcs === 0xff) {
      if (pos + 8 > fill) return 0;
      payload = ((buf[pos + 5] as number) << 8) | (buf[pos + 6] as number);
      if (byteSum(buf, pos + 5, pos + 8) !== 0 || payload < 2 || payload > MAX_EXTENDED_PAYLOAD) return -1;
      head = pos + 8;
    } else {
      if (((len + lcs) & 0xff) !== 0 || len === 0) return -1;
      payload = len;
      head = pos + 5;
    }
    if (head >= fill) return 0;
    const tfi = buf[head];
    if (tfi === TFI_ERROR) {
      if (payload !== 1) return -1;
    } else if (tfi === TFI_PN532) {
      if (payload < 2) return -1;
      if (head + 1 >= fill) return 0;
      // Command codes are even, so an answer code (command + 1) is odd.
      if (((buf[head + 1] as number) & 1) === 0) return -1;
    } else {
      return -1;
    }
    const end = head + payload + 2;
    if (end > fill) return 0;
    if (byteSum(buf, head, end - 1) !== 0) return -2;
    return buf[end - 1] === 0x00 ? end : -3;
  }

  private dispatch(pos: number, end: number): void {
    const buf = this.buf;
    const len = buf[pos + 3] as number;
    const lcs = buf[pos + 4] as number;
    if (len === 0x00 && lcs === 0xff) return;
    if (len === 0xff && lcs === 0x00) {
      this.output.message({
        kind: 'status',
        level: 'warning',
        code: 'nack',
        detail: 'the PN532 asked for the last frame again',
      });
      return;
    }
    const head = len === 0xff && lcs === 0xff ? pos + 8 : pos + 5;
    if (buf[head] === TFI_ERROR) {
      this.output.message({
        kind: 'status',
        level: 'error',
        code: 'error-frame',
        detail: 'the PN532 rejected the last command frame (syntax error)',
      });
      return;
    }
    const command = ((buf[head + 1] as number) - 1) & 0xff;
    const dataStart = head + 2;
    const dataEnd = end - 2;
    if (command === Command.inListPassiveTarget) this.targets(pos, dataStart, dataEnd);
    const data = buf.slice(dataStart, dataEnd);
    this.output.message({ kind: 'response', opcode: command, status: 0, data });
    if (command === Command.getFirmwareVersion && data.length >= 4) {
      const ic = data[0] as number;
      this.output.message({
        kind: 'identity',
        model: ic === IC_PN532 ? 'PN532' : `PN53x (IC 0x${ic.toString(16).padStart(2, '0')})`,
        firmware: `${data[1]}.${data[2]}`,
        hardware: `support 0x${(data[3] as number).toString(16).padStart(2, '0')}`,
        rebooted: false,
      });
    }
  }

  /** InListPassiveTarget answer: NbTg, then the targets; each UID is a read. */
  private targets(frameAt: number, start: number, end: number): void {
    if (start >= end) {
      this.targetError(frameAt, 'truncated-target');
      return;
    }
    const count = this.buf[start] as number;
    if (count > MAX_TARGETS) {
      this.targetError(frameAt, 'bad-target-count');
      return;
    }
    const target = this.target;
    let p = start + 1;
    for (let i = 0; i < count; i++) {
      const problem = parseTypeATarget(this.buf, p, end, target);
      if (problem !== undefined) {
        this.targetError(frameAt, problem);
        return;
      }
      this.counts.reads++;
      this.output.tagRead(this.buf, target.uidOffset, target.uidLength, 0, Number.NaN);
      p = target.end;
    }
  }

  private targetError(frameAt: number, reason: TargetProblem | 'bad-target-count'): void {
    this.counts.errors++;
    this.output.decodeError({ reason, streamOffset: this.base + frameAt, droppedBytes: 0 });
  }
}

export function createPn532Decoder(output: DecoderOutput): Pn532Decoder {
  return new Pn532Decoder(output);
}
