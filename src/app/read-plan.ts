import { seededRandom } from '../shared/random.js';

export { seededRandom };

/**
 * SGTIN-96 with filter 1 (point of sale item), partition 5 (7-digit company prefix 0614141),
 * so simulated tags decode like real retail tags. Item reference and serial vary per tag.
 */
function sgtin96(itemReference: number, serial: number): Uint8Array {
  let bits = 0x30n;
  bits = (bits << 3n) | 1n;
  bits = (bits << 3n) | 5n;
  bits = (bits << 24n) | 614141n;
  bits = (bits << 20n) | BigInt(itemReference);
  bits = (bits << 38n) | BigInt(serial);
  const bytes = new Uint8Array(12);
  for (let i = 11; i >= 0; i--) {
    bytes[i] = Number(bits & 0xffn);
    bits >>= 8n;
  }
  return bytes;
}

export interface SimulatedRead {
  tag: Uint8Array;
  antenna: number;
  rssi: number;
}

interface SimulatedTag {
  tag: Uint8Array;
  antenna: number;
  baseRssi: number;
}

/**
 * What a reader sees with N tags in its field: each tag has a home antenna and a typical RSSI;
 * reads pick tags at random, RSSI jitters by a few dB, and one read in ten is a cross-read on a
 * neighbouring antenna, weaker.
 */
export class ReadPlan {
  private readonly tags: SimulatedTag[] = [];
  private readonly random: () => number;
  private readonly antennas: number;

  constructor(options: { tags: number; tagLength: number; antennas: number; seed: number }) {
    this.antennas = options.antennas;
    this.random = seededRandom(options.seed);
    for (let index = 0; index < options.tags; index++) {
      const tag =
        options.tagLength === 12
          ? sgtin96(812345 + (index % 50), 1000 + index)
          : Uint8Array.from({ length: options.tagLength }, () => Math.floor(this.random() * 256));
      this.tags.push({
        tag,
        antenna: 1 + (index % options.antennas),
        baseRssi: -45 - Math.floor(this.random() * 25),
      });
    }
  }

  get tagCount(): number {
    return this.tags.length;
  }

  next(): SimulatedRead {
    const tag = this.tags[Math.floor(this.random() * this.tags.length)] as SimulatedTag;
    const crossRead = this.antennas > 1 && this.random() < 0.1;
    const antenna = crossRead ? (tag.antenna % this.antennas) + 1 : tag.antenna;
    const jitter = Math.round((this.random() - 0.5) * 6);
    return { tag: tag.tag, antenna, rssi: tag.baseRssi + jitter - (crossRead ? 12 : 0) };
  }
}
