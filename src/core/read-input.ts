import { ANTENNA_SLOTS, type ZoneMap } from './zone-map.js';

/** A reader's decoder output for tag reads: the tag is `tag[offset, offset + length)`. */
export type ReadInput = (
  tag: Uint8Array,
  offset: number,
  length: number,
  antenna: number,
  rssi: number,
) => void;

/** A raw read of a tapped zone; the tag bytes are the decoder's: copy what is kept. */
export type ZoneTap = ReadInput;

/** Antenna numbers counted per reader: a byte's worth (readers number theirs up to 64 at most). */
const COUNTED_ANTENNAS = 256;

interface Ingest {
  ingest(
    reader: number,
    antenna: number,
    tag: Uint8Array,
    offset: number,
    length: number,
    rssi: number,
  ): void;
}

/**
 * The door through which reads enter the core, one per reader, handed to its decoder as `tagRead`,
 * so that a read goes from the decoder to the core with nothing in between: it is counted per
 * antenna (for the metrics), ingested, then shown to the taps of its zone when there are any (a
 * cabinet measures each tag's read rate from them). Nothing is allocated per read; a reader none of
 * whose zones is tapped pays one check.
 */
export class ReadInputs {
  private readonly countsByReader: Array<Float64Array | undefined> = [];
  private readonly antennasByReader: number[][] = [];
  private readonly tapsByZone = new Map<number, ZoneTap[]>();
  /** Per reader index: 1 when a read of it may land in a tapped zone. */
  private readonly tapped: Uint8Array;

  constructor(
    private readonly map: ZoneMap,
    private readonly engine: Ingest,
  ) {
    this.tapped = new Uint8Array(map.readerCount);
  }

  input(reader: number): ReadInput {
    const counts = this.counts(reader);
    const antennas = this.antennas(reader);
    const tapped = this.tapped;
    const engine = this.engine;
    return (tag, offset, length, antenna, rssi) => {
      const slot = antenna & 0xff;
      const reads = counts[slot] as number;
      // Once per antenna for the life of the gateway: the list stays sorted.
      if (reads === 0) {
        antennas.push(slot);
        antennas.sort((a, b) => a - b);
      }
      counts[slot] = reads + 1;
      engine.ingest(reader, antenna, tag, offset, length, rssi);
      if (tapped[reader] === 1) this.show(reader, tag, offset, length, antenna, rssi);
    };
  }

  counts(reader: number): Float64Array {
    let counts = this.countsByReader[reader];
    if (!counts) {
      counts = new Float64Array(COUNTED_ANTENNAS);
      this.countsByReader[reader] = counts;
    }
    return counts;
  }

  antennas(reader: number): number[] {
    let antennas = this.antennasByReader[reader];
    if (!antennas) {
      antennas = [];
      this.antennasByReader[reader] = antennas;
    }
    return antennas;
  }

  tap(zone: string, listener: ZoneTap): void {
    const index = this.map.zoneIndex(zone);
    if (index < 0) throw new Error(`Unknown zone "${zone}"`);
    const taps = this.tapsByZone.get(index) ?? [];
    taps.push(listener);
    this.tapsByZone.set(index, taps);
    for (let reader = 0; reader < this.map.readerCount; reader++) {
      // Antennas 0..ANTENNA_SLOTS-1 have a zone each; any other goes to the reader's default zone.
      for (let antenna = 0; antenna <= ANTENNA_SLOTS; antenna++) {
        if (this.map.zoneOf(reader, antenna) === index) this.tapped[reader] = 1;
      }
    }
  }

  private show(
    reader: number,
    tag: Uint8Array,
    offset: number,
    length: number,
    antenna: number,
    rssi: number,
  ): void {
    const taps = this.tapsByZone.get(this.map.zoneOf(reader, antenna));
    if (!taps) return;
    for (const listener of taps) listener(tag, offset, length, antenna, rssi);
  }
}
