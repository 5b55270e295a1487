import type { DeviceSimulator } from '../../shared/decoding.js';
import { seededRandom } from '../../shared/random.js';
import { Command, checksum, DATA_OFFSET, encodeFrame, MIN_LENGTH, START_BYTE } from './frame.js';
import { ResultCode } from './status.js';

/** The IND903's answer to 0x72 in espinr/activioty's captures: firmware 1.9. */
const FIRMWARE = [0x01, 0x09] as const;
/** The reader's own address in those captures. */
const READER_ADDRESS = 0x01;
/** 12-byte (96-bit) EPCs, the common size. */
export const SIMULATED_TAG_LENGTH = 12;
/** Read rate the summary reports (tags/s): the captures' summaries say 17–29. */
const READ_RATE = 25;
const HOST_BUFFER = 512;
/** ETSI channel indices 0–6, hopped over as the reader does. */
const CHANNELS = 7;

export interface R2000SimulatorOptions {
  /** 4 (default) or 8: an 8-port reader accepts work antennas 5–8 and flags them in the RSSI byte. */
  ports?: 4 | 8;
  /** 1-based antennas with nothing plugged in: a round on one answers "antenna missing". */
  missingAntennas?: readonly number[];
  /** Seed of the draws deciding whether a tag in the field answers a round. Default 1. */
  seed?: number;
}

interface FieldTag {
  tag: Uint8Array;
  findProbability: number;
}

/**
 * Plays an R2000 reader polled with 0x89/0x8B: answers start-up commands like the IND903, and each
 * inventory command with one tag frame per tag of its field and the round's summary. The reader is
 * "reading" once it has been asked for an inventory: the host keeps polling, so `tagFrame` and
 * `heartbeatFrame` (a summary) stand for reads and rounds of that ongoing polling.
 */
class R2000Simulator implements DeviceSimulator {
  readonly tagLength = SIMULATED_TAG_LENGTH;
  private readonly pending = new Uint8Array(HOST_BUFFER);
  private readonly ports: number;
  private readonly missing: ReadonlySet<number>;
  private readonly random: () => number;
  private fill = 0;
  private polled = false;
  private workAntenna = 1;
  private powerDbm = 30;
  private region = [0x02, 0, 6];
  private hops = 0;
  private field: FieldTag[] = [];

  constructor(options: R2000SimulatorOptions = {}) {
    this.ports = options.ports ?? 4;
    this.missing = new Set(options.missingAntennas ?? []);
    this.random = seededRandom(options.seed ?? 1);
  }

  setField(tags: ReadonlyArray<{ tag: Uint8Array; findProbability?: number }>): void {
    this.field = tags.map(({ tag, findProbability }) => ({
      tag: tag.slice(),
      findProbability: findProbability ?? 1,
    }));
  }

  answer(hostBytes: Uint8Array): Uint8Array[] {
    const frames: Uint8Array[] = [];
    for (const byte of hostBytes) {
      // A host sends one command at a time, so a full buffer is noise: start over.
      if (this.fill === HOST_BUFFER) this.fill = 0;
      this.pending[this.fill++] = byte;
      this.parse(frames);
    }
    return frames;
  }

  heartbeatFrame(): Uint8Array | undefined {
    return this.polled ? this.summary(Command.realTimeInventory, 0) : undefined;
  }

  tagFrame(tag: Uint8Array, antenna: number, rssi: number): Uint8Array | undefined {
    if (!this.polled) return undefined;
    if (tag.length < 2 || tag.length > 62 || tag.length % 2 !== 0) {
      throw new RangeError(`a Gen2 EPC is 2..62 bytes in whole words, not ${tag.length}`);
    }
    if (!Number.isInteger(antenna) || antenna < 1 || antenna > this.ports) {
      throw new RangeError(`antenna ${antenna} is not a port in 1..${this.ports}`);
    }
    return this.tagRecord(Command.realTimeInventory, tag, antenna, rssi);
  }

  private tagRecord(command: number, tag: Uint8Array, antenna: number, rssi: number): Uint8Array {
    // The RSSI byte holds dBm + 129 in its low seven bits (−129..−2 dBm); bit 7 is antenna ≥ 5.
    const raw = Math.max(0, Math.min(0x7f, Math.round(rssi) + 129)) | (antenna > 4 ? 0x80 : 0);
    const channel = this.hops++ % CHANNELS;
    const pc = (tag.length / 2) << 11;
    return encodeFrame(READER_ADDRESS, command, [
      (channel << 2) | ((antenna - 1) & 0x03),
      pc >> 8,
      pc & 0xff,
      ...tag,
      raw,
    ]);
  }

  /** AntID, ReadRate(2), TotalRead(4). */
  private summary(command: number, reads: number): Uint8Array {
    const rate = reads > 0 ? READ_RATE : 0;
    return encodeFrame(READER_ADDRESS, command, [
      this.workAntenna - 1,
      rate >> 8,
      rate & 0xff,
      reads >>> 24,
      (reads >> 16) & 0xff,
      (reads >> 8) & 0xff,
      reads & 0xff,
    ]);
  }

  /** Consumes whole commands at the front; drops a byte at a time past a false start. */
  private parse(frames: Uint8Array[]): void {
    const buf = this.pending;
    for (;;) {
      let start = buf.indexOf(START_BYTE);
      if (start < 0 || start >= this.fill) start = this.fill;
      if (start > 0) this.shift(start);
      if (this.fill < 2) return;
      const length = buf[1] as number;
      if (length < MIN_LENGTH) {
        this.shift(1);
        continue;
      }
      const total = length + 2;
      if (this.fill < total) return;
      if (checksum(buf, 0, total - 1) === buf[total - 1]) {
        this.respond(buf[3] as number, buf.slice(DATA_OFFSET, total - 1), frames);
        this.shift(total);
      } else {
        this.shift(1);
      }
    }
  }

  private shift(count: number): void {
    this.pending.copyWithin(0, count, this.fill);
    this.fill -= count;
  }

  private result(command: number, code: number): Uint8Array {
    return encodeFrame(READER_ADDRESS, command, [code]);
  }

  private respond(command: number, data: Uint8Array, frames: Uint8Array[]): void {
    switch (command) {
      case Command.getFirmwareVersion:
        frames.push(encodeFrame(READER_ADDRESS, command, FIRMWARE));
        return;
      case Command.setWorkAntenna: {
        const port = (data[0] ?? 0xff) + 1;
        const ok = data.length === 1 && port <= this.ports;
        if (ok) this.workAntenna = port;
        frames.push(this.result(command, ok ? ResultCode.success : ResultCode.antennaOutOfRange));
        return;
      }
      case Command.getWorkAntenna:
        frames.push(encodeFrame(READER_ADDRESS, command, [this.workAntenna - 1]));
        return;
      case Command.setOutputPower: {
        const ok = [1, 4, 8].includes(data.length) && data.every((dbm) => dbm <= 33);
        if (ok) this.powerDbm = data[0] as number;
        frames.push(this.result(command, ok ? ResultCode.success : ResultCode.powerOutOfRange));
        return;
      }
      case Command.getOutputPower:
        frames.push(encodeFrame(READER_ADDRESS, command, [this.powerDbm]));
        return;
      case Command.setFrequencyRegion: {
        const ok = data.length === 3 && (data[0] as number) >= 1 && (data[0] as number) <= 3;
        if (ok) this.region = [...data];
        frames.push(this.result(command, ok ? ResultCode.success : ResultCode.regionOutOfRange));
        return;
      }
      case Command.getFrequencyRegion:
        frames.push(encodeFrame(READER_ADDRESS, command, this.region));
        return;
      case Command.realTimeInventory:
      case Command.sessionInventory: {
        const repeat = data[data.length - 1] ?? 0;
        const valid = command === Command.realTimeInventory ? data.length === 1 : data.length === 3;
        if (!valid || repeat === 0) {
          frames.push(this.result(command, ResultCode.parameterInvalid));
          return;
        }
        this.rounds(command, repeat, frames);
        return;
      }
      case Command.fastSwitchInventory:
        this.fastSwitch(data, frames);
        return;
      default:
        frames.push(this.result(command, ResultCode.parameterInvalid));
    }
  }

  /**
   * Four (antenna, rounds) pairs, interval, repeat; tag frames as 0x89's, then one summary of
   * TotalRead(3) and CommandDuration(4, ms) for the whole command (pyImpinj `handle_packet`).
   */
  private fastSwitch(data: Uint8Array, frames: Uint8Array[]): void {
    const repeat = data[9] ?? 0;
    if (data.length !== 10 || repeat === 0) {
      frames.push(this.result(Command.fastSwitchInventory, ResultCode.parameterInvalid));
      return;
    }
    this.polled = true;
    let reads = 0;
    for (let pass = 0; pass < repeat; pass++) {
      for (let pair = 0; pair < 4; pair++) {
        const port = (data[pair * 2] as number) + 1;
        if (port > this.ports) continue;
        if (this.missing.has(port)) {
          frames.push(
            encodeFrame(READER_ADDRESS, Command.fastSwitchInventory, [port - 1, ResultCode.antennaMissing]),
          );
          continue;
        }
        for (let round = 0; round < (data[pair * 2 + 1] as number); round++) {
          for (const { tag, findProbability } of this.field) {
            if (this.random() >= findProbability) continue;
            frames.push(this.tagRecord(Command.fastSwitchInventory, tag, port, -55));
            reads++;
          }
        }
      }
    }
    const durationMs = 50 * repeat;
    frames.push(
      encodeFrame(READER_ADDRESS, Command.fastSwitchInventory, [
        (reads >> 16) & 0xff,
        (reads >> 8) & 0xff,
        reads & 0xff,
        durationMs >>> 24,
        (durationMs >> 16) & 0xff,
        (durationMs >> 8) & 0xff,
        durationMs & 0xff,
      ]),
    );
  }

  private rounds(command: number, repeat: number, frames: Uint8Array[]): void {
    if (this.missing.has(this.workAntenna)) {
      frames.push(encodeFrame(READER_ADDRESS, command, [this.workAntenna - 1, ResultCode.antennaMissing]));
      return;
    }
    this.polled = true;
    for (let round = 0; round < repeat; round++) {
      let reads = 0;
      for (const { tag, findProbability } of this.field) {
        if (this.random() >= findProbability) continue;
        frames.push(this.tagRecord(command, tag, this.workAntenna, -55));
        reads++;
      }
      frames.push(this.summary(command, reads));
    }
  }
}

export function createSimulator(options?: R2000SimulatorOptions): DeviceSimulator {
  return new R2000Simulator(options);
}
