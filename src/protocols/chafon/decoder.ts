import type { DecoderOutput, ReaderMessage } from '../../shared/decoding.js';
import { CarryDecoder } from '../carry-decoder.js';

import { chafonCrc } from './crc.js';
import { Command, MIN_RESPONSE_LEN, RESPONSE_DATA_OFFSET, Status } from './frame.js';
import { type InventoryLayout, parseReaderInfo } from './identity.js';

/**
 * Twice the longest frame (256 bytes): after a scan at most one incomplete frame is left, so there is
 * always room for the next slice of input.
 */
export const CARRY_CAPACITY = 512;
/** A longer run of dropped bytes is reported in pieces, so a wrong baud rate shows in the logs. */

export interface ChafonDecoderOptions {
  /**
   * Layout of inventory answers: `reader18` (Num, then EPCLen+EPC per tag) or `reader288` (antenna
   * mask, Num, then EPCLen+EPC+RSSI per tag). Default: learnt from the reader-information answer the
   * start-up asks for, `reader18` until then; a frame that only parses in the other layout is read in
   * that one.
   */
  layout?: InventoryLayout;
}

type DropReason = 'garbage' | 'bad-header' | 'bad-crc' | 'reset';

/**
 * With no start byte, every byte is a candidate LEN. A reader only answers commands a host sent, with
 * a status from a short list, so the reCMD and STATUS bytes must both be plausible before LEN is
 * believed; otherwise a false LEN near 0xFF would hold back every frame behind it until 256 bytes had
 * arrived to fail its CRC.
 */
const PLAUSIBLE_COMMAND = new Uint8Array(256);
for (const [first, last] of [
  [0x00, 0x1b], // error answers (0x00) and the ISO 18000-6C commands
  [0x21, 0x4f], // reader-defined commands
  [0x50, 0x5f], // ISO 18000-6B commands
  [0x66, 0x7f], // UHFReader288 extensions (work mode 0x76, buffer commands)
  [Command.scanOutput, Command.scanOutput],
] as const) {
  PLAUSIBLE_COMMAND.fill(1, first, last + 1);
}
const PLAUSIBLE_STATUS = new Uint8Array(256);
PLAUSIBLE_STATUS.fill(1, 0x00, 0x20);
PLAUSIBLE_STATUS[0x26] = 1; // UHFReader288 inventory statistics
PLAUSIBLE_STATUS.fill(1, 0xf8, 0x100);

/** Inventory statuses whose answer carries tags ([CF] `response.py`). */
function carriesTags(status: number): boolean {
  return status >= Status.inventoryDone && status <= Status.bufferFull;
}

/** Reader-reported conditions worth a status message (UHFReader18 manual §5). */
function describeStatus(status: number): Extract<ReaderMessage, { kind: 'status' }> | undefined {
  switch (status) {
    case Status.bufferFull:
      return {
        kind: 'status',
        level: 'warning',
        code: 'buffer-full',
        detail: 'inventory stopped: reader memory full',
      };
    case Status.antennaError:
      return { kind: 'status', level: 'error', code: 'antenna', detail: 'antenna error, maybe disconnected' };
    case Status.noTag:
      return { kind: 'status', level: 'ok', code: 'no-tag' };
    case Status.commandFailed:
      return { kind: 'status', level: 'warning', code: 'command-failed' };
    case Status.poorCommunication:
      return { kind: 'status', level: 'warning', code: 'poor-communication', detail: 'poor reader-tag link' };
    case Status.badLength:
      return {
        kind: 'status',
        level: 'error',
        code: 'command-length',
        detail: 'reader rejected a command length',
      };
    case Status.illegalCommand:
      return {
        kind: 'status',
        level: 'error',
        code: 'crc-error',
        detail: 'reader saw an unknown command or a CRC error',
      };
    case Status.badParameter:
      return {
        kind: 'status',
        level: 'error',
        code: 'parameter',
        detail: 'reader rejected a command parameter',
      };
    default:
      return undefined;
  }
}

/** 1-based antenna of a UHFReader288 antenna mask (1, 2, 4, 8 → 1-4); 0 when none is set. */
function antennaOfMask(mask: number): number {
  if (mask === 0) return 0;
  return 32 - Math.clz32(mask & -mask);
}

/**
 * Reader→host stream decoder. Resynchronises per protocols.md §4.5: LEN is trusted only once the CRC
 * over the LEN+1 bytes passes; a failed candidate costs exactly one byte and the search goes on from
 * the next, so a good frame behind a false start is never skipped.
 */
export class ChafonDecoder extends CarryDecoder<DropReason> {
  private layout: InventoryLayout;
  private readonly layoutFixed: boolean;

  constructor(output: DecoderOutput, options: ChafonDecoderOptions = {}) {
    super(output, CARRY_CAPACITY, 'reset');
    this.layout = options.layout ?? 'reader18';
    this.layoutFixed = options.layout !== undefined;
  }

  protected scan(): void {
    const buf = this.buf;
    const fill = this.fill;
    let pos = 0;
    while (pos < fill) {
      const length = buf[pos] as number;
      if (length < MIN_RESPONSE_LEN) {
        this.drop(pos, 1, 'garbage');
        pos += 1;
        continue;
      }
      if (pos + RESPONSE_DATA_OFFSET > fill) break;
      if (PLAUSIBLE_COMMAND[buf[pos + 2] as number] === 0 || PLAUSIBLE_STATUS[buf[pos + 3] as number] === 0) {
        this.drop(pos, 1, 'bad-header');
        pos += 1;
        continue;
      }
      const end = pos + length + 1;
      if (end > fill) {
        // A polled reader sends nothing more until the next poll: a false LEN must not hold back the
        // answer behind it that long. A whole valid frame inside its span shows it false.
        if (!this.validFrameWithin(pos + 1, fill)) break;
        this.drop(pos, 1, 'bad-crc');
        pos += 1;
        continue;
      }
      if (!this.crcOk(pos, end)) {
        this.drop(pos, 1, 'bad-crc');
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

  private crcOk(pos: number, end: number): boolean {
    const buf = this.buf;
    return chafonCrc(buf, pos, end - 2) === ((buf[end - 2] as number) | ((buf[end - 1] as number) << 8));
  }

  /**
   * Whether a whole frame with a plausible header and a good CRC starts in `buf[from..fill)`. A false
   * candidate fails its CRC when complete, so treating it as failed as soon as such a frame shows
   * gives the same result whatever the chunking (short of a CRC collision, 1 in 65536).
   */
  private validFrameWithin(from: number, fill: number): boolean {
    const buf = this.buf;
    for (let q = from; q + RESPONSE_DATA_OFFSET <= fill; q++) {
      const length = buf[q] as number;
      if (length < MIN_RESPONSE_LEN || q + length + 1 > fill) continue;
      if (PLAUSIBLE_COMMAND[buf[q + 2] as number] === 0 || PLAUSIBLE_STATUS[buf[q + 3] as number] === 0)
        continue;
      if (this.crcOk(q, q + length + 1)) return true;
    }
    return false;
  }

  private frameError(frameAt: number, reason: string): void {
    this.counts.errors++;
    this.output.decodeError({ reason, streamOffset: this.base + frameAt, droppedBytes: 0 });
  }

  private dispatch(at: number, end: number): void {
    const buf = this.buf;
    const command = buf[at + 2] as number;
    const status = buf[at + 3] as number;
    const start = at + RESPONSE_DATA_OFFSET;
    const dataEnd = end - 2;
    if (command === Command.scanOutput) {
      this.scanOutput(at, start, dataEnd, status);
      return;
    }
    if (command === Command.inventory && carriesTags(status)) this.inventory(at, start, dataEnd);
    const data = buf.slice(start, dataEnd);
    this.output.message({ kind: 'response', opcode: command, status, data });
    const described = describeStatus(status);
    if (described !== undefined) this.output.message(described);
    if (command === Command.readerInfo && status === Status.ok) {
      const info = parseReaderInfo(data);
      if (info === undefined) return;
      if (!this.layoutFixed) this.layout = info.layout;
      this.output.message({ kind: 'identity', model: info.model, firmware: info.firmware, rebooted: false });
    }
  }

  /**
   * A frame a reader in scan mode pushes: the data is the EPC (UHFReader18 manual, active mode;
   * no antenna, no RSSI).
   */
  private scanOutput(at: number, start: number, end: number, status: number): void {
    if (status !== Status.ok) {
      this.output.message({
        kind: 'response',
        opcode: Command.scanOutput,
        status,
        data: this.buf.slice(start, end),
      });
      return;
    }
    if (end <= start) {
      this.frameError(at, 'empty-scan-output');
      return;
    }
    this.counts.reads++;
    this.output.tagRead(this.buf, start, end - start, 0, Number.NaN);
  }

  private inventory(at: number, start: number, end: number): void {
    const other: InventoryLayout = this.layout === 'reader18' ? 'reader288' : 'reader18';
    let layout: InventoryLayout | undefined;
    if (this.fits(start, end, this.layout)) layout = this.layout;
    else if (this.fits(start, end, other)) layout = other;
    if (layout === undefined) {
      this.frameError(at, 'bad-inventory-data');
      return;
    }
    const buf = this.buf;
    const withRssi = layout === 'reader288';
    const antenna = withRssi ? antennaOfMask(buf[start] as number) : 0;
    let p = withRssi ? start + 1 : start;
    const count = buf[p++] as number;
    for (let i = 0; i < count; i++) {
      const length = buf[p] as number;
      this.counts.reads++;
      // The UHFReader288 RSSI byte is on a relative scale the sources do not convert to dBm.
      this.output.tagRead(buf, p + 1, length, antenna, Number.NaN);
      p += 1 + length + (withRssi ? 1 : 0);
    }
  }

  /** Whether the tag list in `buf[start..end)` is whole in `layout`: every EPC non-empty, no byte left. */
  private fits(start: number, end: number, layout: InventoryLayout): boolean {
    const buf = this.buf;
    const withRssi = layout === 'reader288';
    let p = withRssi ? start + 1 : start;
    if (p >= end) return false;
    const count = buf[p++] as number;
    for (let i = 0; i < count; i++) {
      if (p >= end) return false;
      const length = buf[p] as number;
      if (length === 0) return false;
      p += 1 + length + (withRssi ? 1 : 0);
    }
    return p === end;
  }
}

export function createChafonDecoder(output: DecoderOutput, options?: ChafonDecoderOptions): ChafonDecoder {
  return new ChafonDecoder(output, options);
}
