import type { DeviceSimulator } from '../../shared/decoding.js';
import { seededRandom } from '../../shared/random.js';
import { chafonCrc } from './crc.js';
import { Command, encodeResponse, MAX_RESPONSE_DATA, Status } from './frame.js';
import type { InventoryLayout } from './identity.js';

export const SIMULATED_TAG_LENGTH = 12;
/** Reads queued between two polls beyond this are lost, as a real reader's memory fills. */
const MAX_PENDING = 200;
const HOST_BUFFER = 512;
/** Gen2 EPCs are at most 31 words; longer ones would not fit the length byte's meaning. */
const MAX_EPC_LENGTH = 62;
/** The smallest host command: LEN ADR CMD CRC CRC. */
const MIN_COMMAND_LEN = 4;

/**
 * Reader-information data: the REAL UHFReader288M answer's data ([CF] tests/test_base.py
 * `RESP_READER_INFO`), with the type byte set to what the simulated layout answers.
 */
function readerInfo(layout: InventoryLayout, powerDbm: number, scanTimeUnits: number): Uint8Array {
  const type = layout === 'reader288' ? 0x0c : 0x09;
  return Uint8Array.of(0x00, 0x16, type, 0x03, 0x4e, 0x00, powerDbm, scanTimeUnits);
}

export interface ChafonSimulatorOptions {
  /** Which inventory answer layout (and reader type) to play. Default `reader288`. */
  layout?: InventoryLayout;
  /** Reader address the answers carry. Default 0. */
  address?: number;
  /** Seed of the draws deciding whether a tag of the field answers a round. Default 1. */
  seed?: number;
}

interface PendingRead {
  tag: Uint8Array;
  antenna: number;
}

/**
 * A Chafon reader played by software. In answer mode (its default) reads wait for the host's next
 * inventory, which reports each tag read since the last one once, over as many frames as it takes
 * (status 0x03, then 0x01), or "no tag" (0xFB); in scan mode (set with 0x35) each read is pushed at
 * once as an 0xEE frame.
 */
export class ChafonSimulator implements DeviceSimulator {
  readonly tagLength = SIMULATED_TAG_LENGTH;
  private readonly layout: InventoryLayout;
  private readonly address: number;
  private readonly host = new Uint8Array(HOST_BUFFER);
  private hostFill = 0;
  private scanMode = false;
  private powerDbm = 30;
  private scanTimeUnits = 10;
  private pending: PendingRead[] = [];
  private field: Array<{ tag: Uint8Array; findProbability: number }> = [];
  private readonly random: () => number;

  constructor(options: ChafonSimulatorOptions = {}) {
    this.layout = options.layout ?? 'reader288';
    this.address = options.address ?? 0;
    this.random = seededRandom(options.seed ?? 1);
  }

  answer(hostBytes: Uint8Array): Uint8Array[] {
    const answers: Uint8Array[] = [];
    let taken = 0;
    while (taken < hostBytes.length) {
      const count = Math.min(hostBytes.length - taken, HOST_BUFFER - this.hostFill);
      this.host.set(hostBytes.subarray(taken, taken + count), this.hostFill);
      this.hostFill += count;
      taken += count;
      this.takeCommands(answers);
    }
    return answers;
  }

  /**
   * Tags standing in front of the reader: every inventory reports them (after the reads queued by
   * `tagFrame`), each with its own chance of answering that round.
   */
  setField(tags: ReadonlyArray<{ tag: Uint8Array; findProbability?: number }>): void {
    this.field = tags.map(({ tag, findProbability }) => ({
      tag: tag.slice(),
      findProbability: findProbability ?? 1,
    }));
  }

  /** In scan mode (set by the host's 0x35) it pushes each read; in answer mode it waits to be polled. */
  pushesReads(): boolean {
    return this.scanMode;
  }

  tagFrame(tag: Uint8Array, antenna: number, _rssi: number): Uint8Array | undefined {
    if (this.scanMode) return encodeResponse(Command.scanOutput, Status.ok, tag, this.address);
    if (tag.length === 0 || tag.length > MAX_EPC_LENGTH) return undefined;
    if (this.pending.length < MAX_PENDING) this.pending.push({ tag: tag.slice(), antenna });
    return undefined;
  }

  /** Host commands are found the way the reader finds them: LEN, then a CRC that must pass. */
  private takeCommands(answers: Uint8Array[]): void {
    const buf = this.host;
    let pos = 0;
    while (pos < this.hostFill) {
      const length = buf[pos] as number;
      if (length < MIN_COMMAND_LEN) {
        pos += 1;
        continue;
      }
      const end = pos + length + 1;
      if (end > this.hostFill) break;
      const crc = (buf[end - 2] as number) | ((buf[end - 1] as number) << 8);
      if (chafonCrc(buf, pos, end - 2) !== crc) {
        pos += 1;
        continue;
      }
      this.execute(buf[pos + 2] as number, buf.slice(pos + 3, end - 2), answers);
      pos = end;
    }
    buf.copyWithin(0, pos, this.hostFill);
    this.hostFill -= pos;
  }

  private ack(command: number, answers: Uint8Array[]): void {
    answers.push(encodeResponse(command, Status.ok, undefined, this.address));
  }

  private refuse(command: number, answers: Uint8Array[]): void {
    answers.push(encodeResponse(command, Status.badParameter, undefined, this.address));
  }

  private execute(command: number, data: Uint8Array, answers: Uint8Array[]): void {
    switch (command) {
      case Command.readerInfo:
        answers.push(
          encodeResponse(
            command,
            Status.ok,
            readerInfo(this.layout, this.powerDbm, this.scanTimeUnits),
            this.address,
          ),
        );
        return;
      case Command.setPower:
        if (data.length !== 1 || (data[0] as number) > 30) {
          this.refuse(command, answers);
          return;
        }
        this.powerDbm = data[0] as number;
        this.ack(command, answers);
        return;
      case Command.setScanTime:
        if (data.length !== 1 || (data[0] as number) < 3) {
          this.refuse(command, answers);
          return;
        }
        this.scanTimeUnits = data[0] as number;
        this.ack(command, answers);
        return;
      case Command.setFrequency:
        if (data.length !== 2 || ((data[0] as number) & 0x3f) < ((data[1] as number) & 0x3f)) {
          this.refuse(command, answers);
          return;
        }
        this.ack(command, answers);
        return;
      case Command.setWorkMode:
        if (data.length !== 6) {
          this.refuse(command, answers);
          return;
        }
        this.scanMode = data[0] === 0x01;
        this.ack(command, answers);
        return;
      case Command.inventory:
        // A reader in scan mode answers reader-defined commands only.
        if (this.scanMode) return;
        this.inventory(answers);
        return;
      default:
        answers.push(encodeResponse(Command.none, Status.illegalCommand, undefined, this.address));
    }
  }

  private inventory(answers: Uint8Array[]): void {
    const reads = this.pending;
    this.pending = [];
    for (const { tag, findProbability } of this.field) {
      if (findProbability >= 1 || this.random() < findProbability) reads.push({ tag, antenna: 1 });
    }
    if (reads.length === 0) {
      answers.push(encodeResponse(Command.inventory, Status.noTag, undefined, this.address));
      return;
    }
    const withRssi = this.layout === 'reader288';
    // The 288 layout carries one antenna per frame: a new antenna starts a new frame.
    let i = 0;
    while (i < reads.length) {
      const antenna = (reads[i] as PendingRead).antenna;
      const frame: number[] = withRssi ? [antenna >= 1 && antenna <= 4 ? 1 << (antenna - 1) : 1, 0] : [0];
      const countAt = frame.length - 1;
      while (i < reads.length) {
        const read = reads[i] as PendingRead;
        if (withRssi && read.antenna !== antenna) break;
        const size = 1 + read.tag.length + (withRssi ? 1 : 0);
        if (frame.length + size > MAX_RESPONSE_DATA) break;
        frame.push(read.tag.length, ...read.tag);
        // A plausible relative signal strength for the simulated tag.
        if (withRssi) frame.push(0x60);
        frame[countAt] = (frame[countAt] as number) + 1;
        i++;
      }
      const status = i < reads.length ? Status.moreFrames : Status.inventoryDone;
      answers.push(encodeResponse(Command.inventory, status, Uint8Array.from(frame), this.address));
    }
  }
}

export function createSimulator(options?: ChafonSimulatorOptions): ChafonSimulator {
  return new ChafonSimulator(options);
}
