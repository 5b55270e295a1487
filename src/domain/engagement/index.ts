export { ENGAGEMENT_MIGRATIONS, EngagementStore, type PendingPickUp } from './engagement-store.js';
export {
  createEngagementFeature,
  DEFAULT_MAX_PENDING,
  Engagement,
  type EngagementDeps,
  engagementFeature,
} from './extension.js';
export {
  type Counts,
  conversion,
  type DailyFigure,
  type Figures,
  type ProductFigures,
  totalsOf,
} from './figures.js';
export {
  type EngagementAnswer,
  type EngagementRequest,
  engagementRequestFields,
  MAX_ANSWER_ROWS,
  MAX_RANGE_DAYS,
} from './request.js';
export { ENGAGEMENT_PUBLISH_MS, MAX_RETAINED_PRODUCTS, type TodayPayload } from './retained.js';
export { addDays, daysBetween, StoreDays } from './store-day.js';
export type { EngagementOptions, EngagementStats } from './types.js';
