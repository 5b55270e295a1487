import { type EngineConfigInput, resolveEngineConfig } from '../../../src/core/config.js';
import { PresenceEngine } from '../../../src/core/engine.js';
import type { CoreEvent } from '../../../src/core/events.js';
import { fromHex } from '../../../src/core/hex.js';
import { VirtualClock } from '../../../src/shared/clock.js';

/** DESIGN.md event envelope example (SGTIN-96, company 0614141, item 812345, serial 6789). */
export const SGTIN_6789 = '3074257BF7194E4000001A85';
/** The same GTIN with serial 6790 (constructed: last byte + 1). */
export const SGTIN_6790 = '3074257BF7194E4000001A86';
/** protocols.md §1.8 T4 (SparkFun URA logs, ThingMagic M6e Nano): a non-GS1 (E2) 96-bit EPC. */
export const EPC_T4 = 'E2001026760E017915907125';
/** protocols.md §1.8 T1 (SparkFun library comment): EPC ...1545, RSSI -60 dBm on antenna 1. */
export const EPC_T1 = '000000000000000000001545';
export const T1_RSSI = -60;
/** protocols.md §2.2 E1 (ID-20LA, esphome issue 13753): a 5-byte EM4100 id; EM4100 readers give no RSSI. */
export const EM4100_E1 = '0500207B32';

export const T0 = 1_700_000_000_000;

/** An engine on a VirtualClock; `read` moves the clock to `T0 + atMs` and ingests there. */
export function harness(input: EngineConfigInput = {}) {
  const events: CoreEvent[] = [];
  const config = resolveEngineConfig({ readers: [{ id: 'shelf' }], ...input });
  const engine = new PresenceEngine(config, (event) => events.push(event));
  const clock = new VirtualClock(T0);
  const read = (tag: string, atMs: number, rssi = -50, antenna = 1, reader = 'shelf') => {
    clock.advanceTo(T0 + atMs);
    const bytes = fromHex(tag);
    engine.ingest(engine.readerIndex(reader), antenna, bytes, 0, bytes.length, rssi, clock.now());
  };
  const advance = (atMs: number) => {
    clock.advanceTo(T0 + atMs);
    engine.advance(clock.now());
  };
  /** Events as [type, tag, atMs relative to T0] for compact expectations. */
  const timeline = () =>
    events.map((event) => [event.type, 'tag' in event ? event.tag : '', event.atMs - T0] as const);
  return { engine, events, read, advance, clock, timeline };
}
