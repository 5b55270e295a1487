import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { encodeId12Frame } from '../protocols/em4100-ascii/codec.js';
import { driverNamed } from '../protocols/index.js';
import { encodeSensorLine } from '../protocols/lines/encode.js';
import type { DeviceSimulator } from '../shared/decoding.js';
import type { ScenarioPlan } from './plan.js';
import { type Observation, observations, READER_START_MS } from './simulate.js';

/**
 * Turns a scenario's observations into a capture file (DESIGN.md "Capture file"): the fridge reader's
 * ThingMagic 0x22 tag frames, the ID-12LA card frames (with CR LF) and the door controller's
 * `door=open` / `door=closed` lines, each on the port a gateway config names.
 */

export const SCENARIO_PORTS = { reader: 'fridge', cards: 'badge', io: 'io' } as const;

export interface ScenarioCaptureHeader {
  capture: 'rfid-gateway';
  version: 1;
  startedAt: string;
  ports: Array<{ id: string; driver: string; baudRate: number }>;
  /** Forward-compatible extra field (ignored by readers): what produced the file. */
  generator: { name: 'fridge-scenario'; seed: number };
}

export function captureHeader(plan: ScenarioPlan): ScenarioCaptureHeader {
  const port = (id: string, driver: string) => ({
    id,
    driver,
    baudRate: driverNamed(driver).defaultBaudRate,
  });
  return {
    capture: 'rfid-gateway',
    version: 1,
    startedAt: plan.options.startedAt,
    ports: [
      port(SCENARIO_PORTS.reader, 'thingmagic'),
      port(SCENARIO_PORTS.cards, 'em4100-ascii'),
      port(SCENARIO_PORTS.io, 'lines'),
    ],
    generator: { name: 'fridge-scenario', seed: plan.options.seed },
  };
}

/**
 * The capture's chunk lines (JSON, no newline), in time order. Reads of one reader within a fifth of
 * a round and with nothing else between them share a chunk, as a serial port delivers bursts; a chunk
 * never straddles a round or a door line, so no read moves across the close.
 */
export function* captureLines(plan: ScenarioPlan): Generator<string> {
  const reader = startedReader();
  yield* reader.startupLines;
  const slotMs = plan.options.cycleMs / 5;
  const tagBytes = new Map<string, Uint8Array>();
  let pending = '';
  let pendingT = 0;
  let pendingSlot = -1;
  const flush = function* (): Generator<string> {
    if (pending.length > 0) yield line(pendingT, SCENARIO_PORTS.reader, pending);
    pending = '';
    pendingSlot = -1;
  };
  for (const observation of observations(plan)) {
    if (observation.kind !== 'read') {
      yield* flush();
      yield pointLine(observation);
      continue;
    }
    const slot = Math.floor(observation.t / slotMs);
    if (slot !== pendingSlot) yield* flush();
    let bytes = tagBytes.get(observation.tag);
    if (!bytes) {
      bytes = Uint8Array.from(Buffer.from(observation.tag, 'hex'));
      // Strays are many and read once: only the fridge's own tags are worth keeping.
      if (tagBytes.size < 10_000) tagBytes.set(observation.tag, bytes);
    }
    const frame = reader.simulator.tagFrame(bytes, observation.antenna, observation.rssi);
    if (!frame) throw new Error('the simulated reader is not reading');
    pending += Buffer.from(frame).toString('hex');
    pendingT = observation.t;
    pendingSlot = slot;
  }
  yield* flush();
}

/** Writes the capture (header first) with backpressure; returns its size. */
export async function writeCapture(
  file: string,
  plan: ScenarioPlan,
): Promise<{ lines: number; bytes: number }> {
  const out = createWriteStream(file);
  let batch = `${JSON.stringify(captureHeader(plan))}\n`;
  let lines = 1;
  let bytes = 0;
  try {
    for (const text of captureLines(plan)) {
      batch += `${text}\n`;
      lines += 1;
      if (batch.length > 1 << 16) {
        bytes += Buffer.byteLength(batch);
        if (!out.write(batch)) await once(out, 'drain');
        batch = '';
      }
    }
    bytes += Buffer.byteLength(batch);
    out.end(batch);
    await once(out, 'finish');
  } catch (error) {
    out.destroy();
    throw error;
  }
  return { lines, bytes };
}

function pointLine(observation: Exclude<Observation, { kind: 'read' }>): string {
  if (observation.kind === 'card') {
    const frame = encodeId12Frame(Uint8Array.from(Buffer.from(observation.card, 'hex')));
    return line(observation.t, SCENARIO_PORTS.cards, Buffer.from(frame).toString('hex'));
  }
  const bytes =
    observation.kind === 'weight'
      ? encodeSensorLine({ weight: observation.grams })
      : encodeSensorLine({ door: observation.value });
  return line(observation.t, SCENARIO_PORTS.io, Buffer.from(bytes).toString('hex'));
}

function line(t: number, port: string, rx: string, direction: 'rx' | 'tx' = 'rx'): string {
  return `{"t":${t},"port":"${port}","${direction}":"${rx}"}`;
}

/**
 * A simulated M6e Nano that has been sent its start-up commands (so it streams tag frames), and the
 * exchange as capture lines before the first read, as `rfid-gateway record` would have captured it.
 */
function startedReader(): { simulator: DeviceSimulator; startupLines: string[] } {
  const driver = driverNamed('thingmagic');
  const simulator = driver.createSimulator();
  const steps = driver.startup({});
  const startupLines: string[] = [];
  const spacing = Math.max(1, Math.floor(READER_START_MS / (steps.length + 1)));
  steps.forEach((step, index) => {
    const t = index * spacing;
    startupLines.push(line(t, SCENARIO_PORTS.reader, Buffer.from(step.bytes).toString('hex'), 'tx'));
    const answers = simulator.answer(step.bytes);
    if (answers.length > 0) {
      const hex = answers.map((frame) => Buffer.from(frame).toString('hex')).join('');
      startupLines.push(line(t + spacing / 2, SCENARIO_PORTS.reader, hex));
    }
  });
  return { simulator, startupLines };
}
