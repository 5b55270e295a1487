import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replayCapture } from '../../src/app/replay.js';
import { silentLogger } from '../../src/observability/logger.js';
import { writeSyntheticCapture } from '../helpers/synthetic-capture.js';
import { median } from './median.js';

const CAPTURE_SECONDS = 3600;
const READS_PER_SECOND = 200;

/** `replay.realtimeFactor`: a generated 1-hour capture at 200 reads/s, capture time over wall time. */
export async function run(report: (bench: string, value: number, unit: string) => void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'rfid-bench-replay-'));
  try {
    const file = join(dir, 'hour.jsonl');
    const { reads } = await writeSyntheticCapture({
      file,
      driver: 'thingmagic',
      portId: 'fridge',
      seconds: CAPTURE_SECONDS,
      readsPerSecond: READS_PER_SECOND,
      tags: 50,
      seed: 7,
    });
    console.log(`# replay: ${reads} reads, ${(statSync(file).size / 1e6).toFixed(1)} MB capture`);
    const factors: number[] = [];
    for (let run = 0; run < 3; run++) {
      const sink = { events: 0 };
      const started = performance.now();
      const result = await replayCapture({
        file,
        speed: 0,
        logger: silentLogger(),
        prepare: (controller) => {
          controller.bus.on('count', '*', () => {
            sink.events += 1;
          });
        },
      });
      const wallMs = performance.now() - started;
      factors.push((CAPTURE_SECONDS * 1000) / wallMs);
      console.log(
        `# replay run ${run + 1}: ${wallMs.toFixed(0)} ms wall, ${sink.events} events, reads ${result.ports.fridge?.reads}`,
      );
    }
    report('replay.realtimeFactor', median(factors), 'x');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
