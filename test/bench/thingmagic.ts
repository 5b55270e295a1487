import { createThingMagicDecoder } from '../../src/protocols/thingmagic/decoder.js';
import { CMD_START_READING, RSP_KEEPALIVE } from '../../src/protocols/thingmagic/fixtures.js';
import { createSimulator } from '../../src/protocols/thingmagic/simulator.js';
import type { DecoderOutput } from '../../src/shared/decoding.js';
import { median } from './median.js';

/**
 * `thingmagic.decode`: a realistic continuous-read stream (47-byte 0x01FF tag frames from 200
 * 96-bit tags on 4 antennas with varying RSSI, one heartbeat per 75 reads as in [TM-LOGS]) pre-cut
 * into 64-byte chunks and pushed through a fresh decoder per run. Median of several runs, MB/s.
 */

const STREAM_BYTES = 8_000_000;
const CHUNK_BYTES = 64;
const RUNS = 9;
const TAGS = 200;
const READS_PER_HEARTBEAT = 75;

function buildStream(): { stream: Uint8Array; reads: number } {
  const sim = createSimulator();
  sim.answer(CMD_START_READING);
  const epcs = Array.from({ length: TAGS }, (_, i) => {
    const epc = Uint8Array.from([0x30, 0x74, 0x25, 0x7b, 0xf7, 0x19, 0x4e, 0x40, 0x00, 0x00, 0x00, 0x00]);
    new DataView(epc.buffer).setUint32(8, i * 2_654_435_761);
    return epc;
  });
  const stream = new Uint8Array(STREAM_BYTES);
  let offset = 0;
  let reads = 0;
  let seed = 7;
  for (;;) {
    const frame =
      reads % READS_PER_HEARTBEAT === READS_PER_HEARTBEAT - 1
        ? RSP_KEEPALIVE
        : (sim.tagFrame(epcs[reads % TAGS] as Uint8Array, 1 + (reads % 4), -30 - (seed % 50)) as Uint8Array);
    if (offset + frame.length > stream.length) break;
    stream.set(frame, offset);
    offset += frame.length;
    reads++;
    seed = (seed * 1_103_515_245 + 12_345) >>> 0;
  }
  return { stream: stream.subarray(0, offset), reads };
}

export async function run(report: (bench: string, value: number, unit: string) => void): Promise<void> {
  const { stream } = buildStream();
  const chunks: Uint8Array[] = [];
  for (let start = 0; start < stream.length; start += CHUNK_BYTES) {
    chunks.push(stream.subarray(start, start + CHUNK_BYTES));
  }
  let checksum = 0;
  const output: DecoderOutput = {
    tagRead: (tag, offset, _length, antenna) => {
      checksum = (checksum + (tag[offset] as number) + antenna) | 0;
    },
    message: () => {},
    decodeError: () => {
      throw new Error('the benchmark stream has no bad frames');
    },
  };
  const rates: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const decoder = createThingMagicDecoder(output);
    const started = process.hrtime.bigint();
    for (const chunk of chunks) decoder.push(chunk);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (decoder.stats.droppedBytes !== 0 || decoder.stats.errors !== 0) throw new Error('decoder lost bytes');
    // The first run warms the JIT up and is not counted.
    if (i > 0) rates.push(stream.length / 1e6 / seconds);
  }
  console.log(`# thingmagic: ${stream.length} bytes, ${chunks.length} chunks, checksum ${checksum}`);
  report('thingmagic.decode', median(rates), 'MB/s');
}
