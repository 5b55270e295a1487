import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { ReadPlan } from '../../src/app/read-plan.js';
import { driverNamed } from '../../src/protocols/index.js';
import type { DeviceSimulator } from '../../src/shared/decoding.js';

export interface SyntheticCaptureOptions {
  file: string;
  driver: 'thingmagic' | 'em4100-ascii';
  portId: string;
  seconds: number;
  readsPerSecond: number;
  tags: number;
  seed: number;
  startedAt?: string;
}

function startedSimulator(driverName: string): DeviceSimulator {
  const driver = driverNamed(driverName);
  const simulator = driver.createSimulator();
  for (const step of driver.startup({})) simulator.answer(step.bytes);
  return simulator;
}

/** Writes a capture of one simulated reader: one chunk per read, evenly spaced. */
export async function writeSyntheticCapture(options: SyntheticCaptureOptions): Promise<{ reads: number }> {
  const simulator = startedSimulator(options.driver);
  const plan = new ReadPlan({
    tags: options.tags,
    tagLength: simulator.tagLength,
    antennas: 4,
    seed: options.seed,
  });
  const out = createWriteStream(options.file);
  const header = {
    capture: 'rfid-gateway',
    version: 1,
    startedAt: options.startedAt ?? '2026-11-22T10:00:00.000Z',
    ports: [
      { id: options.portId, driver: options.driver, baudRate: driverNamed(options.driver).defaultBaudRate },
    ],
  };
  out.write(`${JSON.stringify(header)}\n`);
  const total = Math.round(options.seconds * options.readsPerSecond);
  const interval = 1000 / options.readsPerSecond;
  let batch = '';
  for (let index = 0; index < total; index++) {
    const read = plan.next();
    const frame = simulator.tagFrame(read.tag, read.antenna, read.rssi);
    if (!frame) throw new Error('simulator is not reading');
    const t = Math.round(index * interval * 1000) / 1000;
    batch += `{"t":${t},"port":"${options.portId}","rx":"${Buffer.from(frame).toString('hex')}"}\n`;
    if (batch.length > 1 << 16) {
      if (!out.write(batch)) await once(out, 'drain');
      batch = '';
    }
  }
  out.end(batch);
  await once(out, 'finish');
  return { reads: total };
}
