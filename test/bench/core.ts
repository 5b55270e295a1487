/**
 * Core hot-path benchmarks:
 * - `core.ingest`: reads/s through `PresenceEngine.ingest` (2,000 distinct SGTIN-96 EPCs, one reader with
 *   4 antennas in 2 zones, each tag strongest in its home zone with cross-reads on the other, ±3 dB noise).
 * - `core.ingest.vsNaiveMap`: the same reads through `NaiveTracker` below (Map keyed by hex, one object per
 *   tag, the same semantics roughly), as a ratio measured in the same run.
 * - `core.ingest.gcPer10MReads`: GC events (PerformanceObserver 'gc') while ingesting 10M reads after warm-up.
 * Each figure is the median of several runs; the machine is shared and noisy.
 */
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { type CoreEvent, PresenceEngine, resolveEngineConfig } from '../../src/core/index.js';
import { median } from './median.js';

const TAGS = 2000;
const EPC_BYTES = 12;
/** Pre-generated reads replayed in a loop; a power of two so the index is a mask. */
const SCRIPT_READS = 1 << 20;
/** 20,000 reads/s of virtual time: every tag is read about every 100 ms, so none departs. */
const MS_PER_READ = 0.05;
const RUNS = 7;
const CHUNK = 64;
const READS_PER_RUN = 2_000_000;
const GC_READS = 10_000_000;

interface Script {
  epcs: Uint8Array;
  tagOffsets: Int32Array;
  antennas: Int32Array;
  rssis: Float64Array;
}

/** Deterministic xorshift so every run replays the same reads. */
function makeRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}

function makeScript(): Script {
  const random = makeRandom(42);
  const epcs = new Uint8Array(TAGS * EPC_BYTES);
  for (let tag = 0; tag < TAGS; tag++) {
    // SGTIN-96 header, filter 1, partition 5, company 0614141, item 812345, then a per-tag serial.
    const base = tag * EPC_BYTES;
    epcs.set([0x30, 0x34, 0x25, 0x7b, 0xf7, 0x19, 0x4e, 0x40], base);
    const serial = 100_000 + tag * 7919;
    epcs[base + 8] = (serial >>> 24) & 0xff;
    epcs[base + 9] = (serial >>> 16) & 0xff;
    epcs[base + 10] = (serial >>> 8) & 0xff;
    epcs[base + 11] = serial & 0xff;
  }
  const homeRssi = Float64Array.from({ length: TAGS }, () => -45 - random() * 25);
  const script: Script = {
    epcs,
    tagOffsets: new Int32Array(SCRIPT_READS),
    antennas: new Int32Array(SCRIPT_READS),
    rssis: new Float64Array(SCRIPT_READS),
  };
  for (let read = 0; read < SCRIPT_READS; read++) {
    const tag = Math.floor(random() * TAGS);
    const home = tag % 2; // zone 0 = antennas 1-2, zone 1 = antennas 3-4
    const crossRead = random() < 0.2;
    const zone = crossRead ? 1 - home : home;
    script.tagOffsets[read] = tag * EPC_BYTES;
    script.antennas[read] = zone * 2 + 1 + (random() < 0.5 ? 0 : 1);
    const rssi = (homeRssi[tag] as number) - (crossRead ? 12 : 0) + (random() - 0.5) * 6;
    script.rssis[read] = Math.round(rssi);
  }
  return script;
}

const config = resolveEngineConfig({
  capacity: 16384,
  readers: [{ id: 'shelf', antennaZones: { 1: 'left', 2: 'left', 3: 'right', 4: 'right' } }],
});

interface Ingester {
  ingest(script: Script, reads: number): void;
}

/**
 * Runs `PresenceEngine` over the script in chunks of CHUNK reads, the way a decoder hands over the
 * frames of one serial chunk: `advance(chunkTime)`, then `ingest` per read without a time (the
 * engine's documented hot-path use). Virtual time lives in a Float64Array: a fractional time kept in
 * a JS variable or field is boxed (allocated) by V8 on each update, which would count against the engine.
 */
class EngineIngester implements Ingester {
  events = 0;
  private readonly engine = new PresenceEngine(config, (_event: CoreEvent) => {
    this.events++;
  });
  private readonly reader = this.engine.readerIndex('shelf');
  private cursor = 0;
  private readonly clock = Float64Array.of(1_700_000_000_000);

  ingest(script: Script, reads: number): void {
    for (let done = 0; done < reads; done += CHUNK) this.chunk(script, Math.min(CHUNK, reads - done));
  }

  private chunk(script: Script, reads: number): void {
    const { epcs, tagOffsets, antennas, rssis } = script;
    const engine = this.engine;
    const clock = this.clock;
    engine.advance(clock[0] as number);
    for (let read = 0; read < reads; read++) {
      const at = this.cursor++ & (SCRIPT_READS - 1);
      engine.ingest(
        this.reader,
        antennas[at] as number,
        epcs,
        tagOffsets[at] as number,
        EPC_BYTES,
        rssis[at] as number,
      );
    }
    clock[0] = (clock[0] as number) + reads * MS_PER_READ;
  }
}

interface NaiveTag {
  zone: string;
  sinceMs: number;
  lastSeenMs: number;
  reads: number;
  smoothed: number;
  challenger: string | null;
  challengerSmoothed: number;
  challengerSeenMs: number;
}

/**
 * The obvious implementation: hex string per read, Map lookup, an object per tag, a sweep over every
 * tag every 100 ms for departures; same arrival/departure/cross-read rules as the engine, roughly.
 */
class NaiveTracker implements Ingester {
  events: CoreEvent[] = [];
  private readonly tags = new Map<string, NaiveTag>();
  private readonly zoneOfAntenna = ['left', 'left', 'left', 'right', 'right'];
  private cursor = 0;
  private nowMs = 1_700_000_000_000;
  private nextSweepMs = 0;

  ingest(script: Script, reads: number): void {
    for (let read = 0; read < reads; read++) {
      const at = this.cursor++ & (SCRIPT_READS - 1);
      this.read(script, at, this.nowMs);
      this.nowMs += MS_PER_READ;
    }
  }

  private read(script: Script, at: number, now: number): void {
    if (now >= this.nextSweepMs) this.sweep(now);
    const offset = script.tagOffsets[at] as number;
    const hex = Buffer.from(script.epcs.subarray(offset, offset + EPC_BYTES))
      .toString('hex')
      .toUpperCase();
    const zone = this.zoneOfAntenna[script.antennas[at] as number] as string;
    const rssi = script.rssis[at] as number;
    const tag = this.tags.get(hex);
    if (tag === undefined) {
      const created: NaiveTag = {
        zone,
        sinceMs: now,
        lastSeenMs: now,
        reads: 1,
        smoothed: rssi,
        challenger: null,
        challengerSmoothed: 0,
        challengerSeenMs: 0,
      };
      this.tags.set(hex, created);
      this.events.push({
        type: 'tag.arrived',
        atMs: now,
        tag: hex,
        zone,
        reader: 'shelf',
        antenna: 1,
        rssi,
        reads: 1,
      });
      return;
    }
    tag.reads++;
    if (tag.zone === zone) {
      tag.lastSeenMs = now;
      tag.smoothed += 0.3 * (rssi - tag.smoothed);
      return;
    }
    if (tag.challenger === zone) {
      tag.challengerSmoothed += 0.3 * (rssi - tag.challengerSmoothed);
    } else {
      tag.challenger = zone;
      tag.challengerSmoothed = tag.smoothed + 0.3 * (rssi - tag.smoothed);
    }
    tag.challengerSeenMs = now;
    if (now - tag.lastSeenMs >= 1000 || tag.challengerSmoothed > tag.smoothed + 3) {
      const from = tag.zone;
      [tag.zone, tag.challenger] = [zone, from];
      [tag.smoothed, tag.challengerSmoothed] = [tag.challengerSmoothed, tag.smoothed];
      tag.lastSeenMs = now;
      this.events.push({
        type: 'tag.moved',
        atMs: now,
        tag: hex,
        from,
        to: zone,
        direction: null,
        reader: 'shelf',
        antenna: 1,
        rssi,
        reads: tag.reads,
      });
    }
  }

  private sweep(now: number): void {
    this.nextSweepMs = now + 100;
    for (const [hex, tag] of this.tags) {
      if (now - tag.lastSeenMs < 3000) continue;
      this.tags.delete(hex);
      this.events.push({
        type: 'tag.departed',
        atMs: tag.lastSeenMs + 3000,
        tag: hex,
        zone: tag.zone,
        reader: 'shelf',
        antenna: 1,
        rssi: Number.NaN,
        reads: tag.reads,
        dwellMs: tag.lastSeenMs + 3000 - tag.sinceMs,
      });
    }
    this.events.length = 0;
  }
}

function readsPerSecond(ingester: Ingester, script: Script, reads: number): number {
  const start = performance.now();
  ingester.ingest(script, reads);
  return reads / ((performance.now() - start) / 1000);
}

function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function countGcEvents(work: () => void): Promise<number> {
  const starts: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) starts.push(entry.startTime);
  });
  observer.observe({ entryTypes: ['gc'] });
  collectGarbage();
  // Let the observer deliver the entries of the collection above before the window opens.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const from = performance.now();
  work();
  const to = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  return starts.filter((start) => start >= from && start <= to).length;
}

export async function run(report: (bench: string, value: number, unit: string) => void): Promise<void> {
  const script = makeScript();
  const engine = new EngineIngester();
  const naive = new NaiveTracker();
  // Warm-up: every tag arrives, the JIT settles, the ring fills.
  engine.ingest(script, 2_000_000);
  naive.ingest(script, 2_000_000);
  const engineRates: number[] = [];
  const naiveRates: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    collectGarbage();
    engineRates.push(readsPerSecond(engine, script, READS_PER_RUN));
    collectGarbage();
    naiveRates.push(readsPerSecond(naive, script, READS_PER_RUN / 4));
  }
  const engineRate = median(engineRates);
  const naiveRate = median(naiveRates);
  report('core.ingest', Math.round(engineRate), 'reads/s');
  report('core.ingest.vsNaiveMap', Math.round((engineRate / naiveRate) * 100) / 100, 'x');
  const gcCounts: number[] = [];
  for (let run = 0; run < 3; run++) {
    gcCounts.push(await countGcEvents(() => engine.ingest(script, GC_READS)));
  }
  report('core.ingest.gcPer10MReads', median(gcCounts), 'count');
  console.log(
    `core: engine ${engineRates.map((rate) => (rate / 1e6).toFixed(1)).join('/')} M reads/s, naive ` +
      `${naiveRates.map((rate) => (rate / 1e6).toFixed(2)).join('/')} M reads/s, GC ${gcCounts.join('/')}, ` +
      `events ${engine.events}`,
  );
}
