import { seededRandom } from '../shared/random.js';
import { sgtin96Bytes } from '../shared/sgtin.js';

export { seededRandom };

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
          ? sgtin96Bytes({ itemReference: 812345 + (index % 50), serial: 1000 + index })
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

  /** The tags in the field, in the order they were made. */
  get field(): Uint8Array[] {
    return this.tags.map((tag) => tag.tag);
  }

  next(): SimulatedRead {
    const tag = this.tags[Math.floor(this.random() * this.tags.length)] as SimulatedTag;
    const crossRead = this.antennas > 1 && this.random() < 0.1;
    const antenna = crossRead ? (tag.antenna % this.antennas) + 1 : tag.antenna;
    const jitter = Math.round((this.random() - 0.5) * 6);
    return { tag: tag.tag, antenna, rssi: tag.baseRssi + jitter - (crossRead ? 12 : 0) };
  }
}
