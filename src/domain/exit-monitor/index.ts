export { AlarmLimiter, DEFAULT_LIMITER_CAPACITY } from './alarm-limiter.js';
export { DoorMap, exitMonitorChecks, type SharedLastStep, watchedDoorProblems } from './door-map.js';
export { ExitMonitor, type ExitMonitorStats, exitMonitorFeature } from './extension.js';
export { EXIT_MONITOR_MIGRATIONS, type PaidMark, PaidMarks, type PaidSource } from './paid-marks.js';
export { PaidTags, type PaidTagsStats, PURGE_MIN_INTERVAL_MS, paidTagsFeature } from './paid-tags.js';
export {
  MAX_PAID_TAGS,
  MAX_PAID_TTL_MS,
  MAX_REFERENCE_LENGTH,
  MIN_PAID_TTL_MS,
  type TagsPaidRequest,
  type TagsPaidResponse,
  tagsPaidFields,
} from './request.js';
