import type { DeviceSimulator } from '../../shared/decoding.js';
import { seededRandom } from '../../shared/random.js';
import { gen2Crc, thingmagicCrc } from './crc.js';
import { COMMAND_OVERHEAD, encodeResponse, MAX_DATA_LENGTH, Opcode, START_BYTE } from './frame.js';
import { Status } from './status.js';
import { DEFAULT_METADATA_FLAGS } from './tag-record.js';

/** The REAL M6e Nano version answer's data ([TM-LOGS], protocols.md §1.4). */
const NANO_VERSION = Uint8Array.of(
  0x14,
  0x12,
  0x08,
  0x00,
  0x30,
  0x00,
  0x00,
  0x02,
  0x20,
  0x15,
  0x03,
  0x10,
  0x01,
  0x03,
  0x01,
  0x47,
  0x00,
  0x00,
  0x00,
  0x10,
);
/** Data of the REAL start answer `FF 04 2F 00 00 01 22 00 00 6D C3`. */
const START_ANSWER = Uint8Array.of(0x01, 0x22, 0x00, 0x00);
/** Data of the REAL stop acknowledgment `FF 01 2F 00 00 02 30 E6`. */
const STOP_ANSWER = Uint8Array.of(0x02);
const SETTERS: ReadonlySet<number> = new Set([
  0x06, // baud rate
  Opcode.setAntennaPort,
  Opcode.setReadTxPower,
  Opcode.setTagProtocol,
  Opcode.setRegion,
  0x9a, // reader optional parameters
  0x9b, // protocol parameters
]);
/** MercuryAPI `TMR_SR_GEN2_SINGULATION_OPTION_*`: the low bits say what the select is on. */
const SELECT_MASK = 0x0f;
const SELECT_DISABLED = 0x00;
const SELECT_ON_EPC = 0x01;
const OPTION_METADATA = 0x10;
const OPTION_EXTENDED_DATA_LENGTH = 0x20;
const INVALID_OPCODE = 0x0101;
const INVALID_PARAMETER = 0x0105;
/** Channels the simulated module hops over (kHz), as the NA2 table does. */
const CHANNELS_KHZ = [902_750, 915_250, 923_200, 919_600];
/** Per-read timestamp step (ms): about what one tag gets in [TM-LOGS] with three tags in the field. */
const READ_INTERVAL_MS = 13;
const HOST_BUFFER = 512;

export const SIMULATED_TAG_LENGTH = 12;

export interface NanoSimulatorOptions {
  /** Seed of the draws that decide whether a tag in the field answers a search. Default 1. */
  seed?: number;
}

interface FieldTag {
  tag: Uint8Array;
  findProbability: number;
}

/** Whether `tag` begins with the `bits` first bits of `mask`, as a Gen2 Select compares. */
function startsWithBits(tag: Uint8Array, mask: Uint8Array, bits: number): boolean {
  if (tag.length * 8 < bits) return false;
  const whole = bits >> 3;
  for (let i = 0; i < whole; i++) if (tag[i] !== mask[i]) return false;
  const rest = bits & 7;
  if (rest === 0) return true;
  const keep = (0xff << (8 - rest)) & 0xff;
  return (((tag[whole] as number) ^ (mask[whole] as number)) & keep) === 0;
}

/**
 * Plays an M6e Nano: answers start-up commands like the real one, streams 0x22 tag frames while
 * reading, and answers a synchronous 0x22 (optionally with a select on the EPC) from its field.
 */
class NanoSimulator implements DeviceSimulator {
  readonly tagLength = SIMULATED_TAG_LENGTH;
  private readonly pending = new Uint8Array(HOST_BUFFER);
  private fill = 0;
  private reading = false;
  private reads = 0;
  private field: FieldTag[] = [];
  private readonly random: () => number;

  constructor(options: NanoSimulatorOptions = {}) {
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
      // A host never sends more than one command at a time, so a full buffer is noise: start over.
      if (this.fill === HOST_BUFFER) this.fill = 0;
      this.pending[this.fill++] = byte;
      this.parse(frames);
    }
    return frames;
  }

  /** The read-cycle heartbeat ("no tags found") a module in continuous reading streams about once a second. */
  heartbeatFrame(): Uint8Array | undefined {
    return this.reading ? encodeResponse(Opcode.readTagMultiple, Status.noTagsFound) : undefined;
  }

  tagFrame(tag: Uint8Array, antenna: number, rssi: number): Uint8Array | undefined {
    if (!this.reading) return undefined;
    if (tag.length < 2 || tag.length > 62 || tag.length % 2 !== 0) {
      throw new RangeError(`a Gen2 EPC is 2..62 bytes in whole words, not ${tag.length}`);
    }
    if (!Number.isInteger(antenna) || antenna < 1 || antenna > 16) {
      throw new RangeError(`antenna ${antenna} is not a port in 1..16`);
    }
    const port = antenna & 0x0f;
    const frequency = CHANNELS_KHZ[this.reads % CHANNELS_KHZ.length] as number;
    const timestamp = (++this.reads * READ_INTERVAL_MS) >>> 0;
    const idBits = (tag.length + 4) * 8;
    const pc = (tag.length / 2) << 11;
    const head = [
      0x10, // option: metadata flags follow
      0x00,
      0x1b, // search flags, as requested by the start command
      DEFAULT_METADATA_FLAGS >> 8,
      DEFAULT_METADATA_FLAGS & 0xff,
      0x01, // response type: tag record
      0x01, // read count
      Math.max(-128, Math.min(127, Math.round(rssi))) & 0xff,
      (port << 4) | port,
      frequency >> 16,
      (frequency >> 8) & 0xff,
      frequency & 0xff,
      timestamp >>> 24,
      (timestamp >> 16) & 0xff,
      (timestamp >> 8) & 0xff,
      timestamp & 0xff,
      0x00,
      0x00, // phase: the Nano reports none
      0x05, // protocol: Gen2
      0x00,
      0x00, // embedded data: 0 bits
      0x0f, // GPIO, as in [TM-LOGS]
      idBits >> 8,
      idBits & 0xff,
      pc >> 8,
      pc & 0xff,
    ];
    const data = new Uint8Array(head.length + tag.length + 2);
    data.set(head);
    data.set(tag, head.length);
    const tagCrc = gen2Crc(data, head.length - 2, head.length + tag.length);
    data[data.length - 2] = tagCrc >> 8;
    data[data.length - 1] = tagCrc & 0xff;
    return encodeResponse(Opcode.readTagMultiple, Status.ok, data);
  }

  /** Consumes whole commands at the front of the buffer; drops a byte at a time past a false start. */
  private parse(frames: Uint8Array[]): void {
    const buf = this.pending;
    for (;;) {
      let start = buf.indexOf(START_BYTE);
      if (start < 0 || start >= this.fill) start = this.fill;
      if (start > 0) this.shift(start);
      if (this.fill < 2) return;
      const length = buf[1] as number;
      const total = length + COMMAND_OVERHEAD;
      if (length > MAX_DATA_LENGTH) {
        this.shift(1);
        continue;
      }
      if (this.fill < total) return;
      if (
        thingmagicCrc(buf, 1, total - 2) ===
        (((buf[total - 2] as number) << 8) | (buf[total - 1] as number))
      ) {
        this.respond(buf[2] as number, buf.slice(3, 3 + length), frames);
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

  private respond(opcode: number, data: Uint8Array, frames: Uint8Array[]): void {
    if (opcode === Opcode.version) {
      frames.push(encodeResponse(opcode, Status.ok, NANO_VERSION));
    } else if (opcode === Opcode.multiProtocolTagOp && data[2] === 0x01) {
      this.reading = true;
      frames.push(encodeResponse(opcode, Status.ok, START_ANSWER));
    } else if (opcode === Opcode.multiProtocolTagOp && data[2] === 0x02) {
      // A reading module ends its stream with a heartbeat before acknowledging ([TM-LOGS]).
      if (this.reading) frames.push(encodeResponse(Opcode.readTagMultiple, Status.noTagsFound));
      this.reading = false;
      frames.push(encodeResponse(opcode, Status.ok, STOP_ANSWER));
    } else if (opcode === Opcode.multiProtocolTagOp) {
      frames.push(encodeResponse(opcode, INVALID_PARAMETER));
    } else if (opcode === Opcode.readTagMultiple) {
      frames.push(this.syncRead(data));
    } else if (opcode === Opcode.clearTagBuffer) {
      frames.push(encodeResponse(opcode, Status.ok));
    } else if (SETTERS.has(opcode)) {
      frames.push(encodeResponse(opcode, Status.ok));
    } else {
      frames.push(encodeResponse(opcode, INVALID_OPCODE));
    }
  }

  /**
   * A synchronous read (protocols.md §1.7; MercuryAPI `filterbytes` for the select): each tag in the
   * field that the select matches is found with its own probability; the answer is the count, or
   * "no tags found". It comes at once, not after the read's timeout as the module's does.
   */
  private syncRead(data: Uint8Array): Uint8Array {
    if (data.length < 5) return encodeResponse(Opcode.readTagMultiple, INVALID_PARAMETER);
    const option = data[0] as number;
    let p = 5 + (option & OPTION_METADATA ? 2 : 0);
    let matches: (tag: Uint8Array) => boolean = () => true;
    const select = option & SELECT_MASK;
    if (select === SELECT_ON_EPC) {
      p += 4; // access password
      const extended = (option & OPTION_EXTENDED_DATA_LENGTH) !== 0;
      const bits = extended ? ((data[p] as number) << 8) | (data[p + 1] as number) : (data[p] as number);
      p += extended ? 2 : 1;
      const mask = data.subarray(p, p + Math.ceil(bits / 8));
      if (mask.length * 8 < bits) return encodeResponse(Opcode.readTagMultiple, INVALID_PARAMETER);
      matches = (tag) => startsWithBits(tag, mask, bits);
    } else if (select !== SELECT_DISABLED || data.length > p) {
      return encodeResponse(Opcode.readTagMultiple, INVALID_PARAMETER);
    }
    let count = 0;
    for (const { tag, findProbability } of this.field) {
      if (matches(tag) && this.random() < findProbability) count += 1;
    }
    if (count === 0) return encodeResponse(Opcode.readTagMultiple, Status.noTagsFound);
    // Option and search flags echoed, then a 4-byte count: the REAL `FF 07 22 00 00 00 00 13 00 00 00 01`.
    return encodeResponse(
      Opcode.readTagMultiple,
      Status.ok,
      Uint8Array.of(
        option,
        data[1] as number,
        data[2] as number,
        count >>> 24,
        (count >> 16) & 0xff,
        (count >> 8) & 0xff,
        count & 0xff,
      ),
    );
  }
}

export function createSimulator(options?: NanoSimulatorOptions): DeviceSimulator {
  return new NanoSimulator(options);
}
