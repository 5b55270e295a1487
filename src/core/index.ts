export {
  type CrossReadSettings,
  type DoorConfig,
  ENGINE_DEFAULTS,
  ENGINE_LIMITS,
  type EngineConfig,
  type EngineConfigInput,
  type ReaderConfig,
  resolveEngineConfig,
  validateEngineConfig,
  ZONE_DEFAULTS,
  type ZoneConfig,
  type ZoneSettings,
} from './config.js';
export { PresenceEngine } from './engine.js';
export { decodeEpc, EpcCache } from './epc.js';
export { compileEpcPattern, EPC96_PATTERN_SCHEMES, type Epc96Pattern, matchesEpc96 } from './epc-pattern.js';
export type { CoreEvent, CoreEventType, EngineStats, PresentTag } from './events.js';
export { fromHex, toHex } from './hex.js';
export type { ReadInput, ZoneTap } from './read-input.js';
export { READ_OUTCOMES, type ReadOutcome, type RecentRead } from './read-ring.js';
export type { RestoredTag, RestoreRefusal, RestoreRefusalReason } from './restore.js';
