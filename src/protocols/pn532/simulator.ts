import type { DeviceSimulator } from '../../shared/decoding.js';
import { seededRandom } from '../../shared/random.js';
import { ACK_FRAME, byteSum, Command, ERROR_FRAME, encodeAnswer, TFI_HOST } from './frame.js';

/** The REAL GetFirmwareVersion answer data of a DFRobot PN532 board: IC 0x32, 1.6, support 0x07. */
const FIRMWARE = [0x32, 0x01, 0x06, 0x07];
const HOST_BUFFER = 512;
const WAKE_BYTE = 0x55;
/** MxRtyPassiveActivation at power-up: retry for ever, so no card means no answer. */
const RETRY_FOR_EVER = 0xff;

/** UIDs most store cards carry (MIFARE Classic 1K). */
export const SIMULATED_TAG_LENGTH = 4;

export interface Pn532SimulatorOptions {
  /** Seed of the draws that decide whether a card in the field answers a poll. Default 1. */
  seed?: number;
}

interface FieldCard {
  uid: Uint8Array;
  findProbability: number;
}

function checkUid(uid: Uint8Array): void {
  if (uid.length !== 4 && uid.length !== 7 && uid.length !== 10) {
    throw new RangeError(`an ISO 14443A UID is 4, 7 or 10 bytes, not ${uid.length}`);
  }
}

/** Target bytes as a real chip answers: SENS_RES by UID size, SEL_RES of a MIFARE Classic or NTAG. */
function targetBytes(tg: number, uid: Uint8Array): number[] {
  const sizeBits = uid.length === 4 ? 0x00 : uid.length === 7 ? 0x40 : 0x80;
  const selRes = uid.length === 4 ? 0x08 : 0x00;
  return [tg, 0x00, sizeBits | 0x04, selRes, uid.length, ...uid];
}

/**
 * Plays a PN532 on HSU: asleep until a command comes behind a 0x55 wake-up, then ACKs every good
 * command frame and answers it; polls (InListPassiveTarget, type A) find the cards of its field.
 * Like the chip, it ignores a frame that fails its checksums and answers an unknown command with
 * the error frame; while the passive activation retries are still "for ever", a poll without a
 * card gets its ACK and then nothing.
 */
class Pn532Simulator implements DeviceSimulator {
  readonly tagLength = SIMULATED_TAG_LENGTH;
  private readonly pending = new Uint8Array(HOST_BUFFER);
  private fill = 0;
  private awake = false;
  private wakeSeen = false;
  private retries = RETRY_FOR_EVER;
  private field: FieldCard[] = [];
  private readonly random: () => number;

  constructor(options: Pn532SimulatorOptions = {}) {
    this.random = seededRandom(options.seed ?? 1);
  }

  setField(tags: ReadonlyArray<{ tag: Uint8Array; findProbability?: number }>): void {
    for (const { tag } of tags) checkUid(tag);
    this.field = tags.map(({ tag, findProbability }) => ({
      uid: tag.slice(),
      findProbability: findProbability ?? 1,
    }));
  }

  answer(hostBytes: Uint8Array): Uint8Array[] {
    const frames: Uint8Array[] = [];
    for (const byte of hostBytes) {
      if (byte === WAKE_BYTE) this.wakeSeen = true;
      if (this.fill === HOST_BUFFER) this.fill = 0;
      this.pending[this.fill++] = byte;
      this.parse(frames);
    }
    return frames;
  }

  /** The answer to a poll that found this card: what the chip sends for a card put on it. */
  tagFrame(tag: Uint8Array): Uint8Array | undefined {
    if (!this.awake) return undefined;
    checkUid(tag);
    return encodeAnswer(Command.inListPassiveTarget, [1, ...targetBytes(1, tag)]);
  }

  private parse(frames: Uint8Array[]): void {
    const buf = this.pending;
    for (;;) {
      let start = 0;
      while (start + 2 < this.fill && !(buf[start] === 0 && buf[start + 1] === 0 && buf[start + 2] === 0xff))
        start++;
      if (start + 2 >= this.fill) {
        // Keep a possible start (00, 00 00) for the next byte.
        const keep = Math.min(this.fill, 2);
        this.shift(this.fill - keep);
        return;
      }
      if (start > 0) this.shift(start);
      if (this.fill < 6) return;
      const len = buf[3] as number;
      const lcs = buf[4] as number;
      if ((len === 0x00 && lcs === 0xff) || (len === 0xff && lcs === 0x00)) {
        // The host's ACK aborts a pending command, its NACK asks again: nothing is pending here.
        this.shift(6);
        continue;
      }
      if (((len + lcs) & 0xff) !== 0 || len < 2) {
        this.shift(1);
        continue;
      }
      const total = len + 7;
      if (this.fill < total) return;
      if (buf[5] !== TFI_HOST || byteSum(buf, 5, 5 + len + 1) !== 0 || buf[total - 1] !== 0) {
        this.shift(1);
        continue;
      }
      const command = buf[6] as number;
      const data = buf.slice(7, 5 + len);
      this.shift(total);
      if (!this.awake && !this.wakeSeen) continue;
      this.awake = true;
      frames.push(ACK_FRAME.slice());
      const reply = this.respond(command, data);
      if (reply) frames.push(reply);
    }
  }

  private shift(count: number): void {
    this.pending.copyWithin(0, count, this.fill);
    this.fill -= count;
  }

  private respond(command: number, data: Uint8Array): Uint8Array | undefined {
    switch (command) {
      case Command.getFirmwareVersion:
        return encodeAnswer(command, FIRMWARE);
      case Command.samConfiguration:
        return data[0] !== undefined && data[0] >= 1 && data[0] <= 4
          ? encodeAnswer(command)
          : ERROR_FRAME.slice();
      case Command.rfConfiguration:
        if (data[0] === 0x05 && data.length === 4) this.retries = data[3] as number;
        return encodeAnswer(command);
      case Command.inListPassiveTarget:
        return this.poll(data);
      default:
        return ERROR_FRAME.slice();
    }
  }

  private poll(data: Uint8Array): Uint8Array | undefined {
    const maxTargets = data[0] as number;
    if (data.length !== 2 || maxTargets < 1 || maxTargets > 2 || data[1] !== 0x00) return ERROR_FRAME.slice();
    const found = this.field.filter((card) => this.random() < card.findProbability).slice(0, maxTargets);
    if (found.length === 0 && this.retries === RETRY_FOR_EVER) return undefined;
    const body: number[] = [found.length];
    found.forEach((card, i) => {
      body.push(...targetBytes(i + 1, card.uid));
    });
    return encodeAnswer(Command.inListPassiveTarget, body);
  }
}

export function createPn532Simulator(options?: Pn532SimulatorOptions): DeviceSimulator {
  return new Pn532Simulator(options);
}
