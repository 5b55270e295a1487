import type { ProductRef } from './events.js';
import type { ScreenTemplateName } from './screen.js';

/**
 * The retained payloads the gateway publishes, by topic (DESIGN.md "MQTT topics"): contracts like
 * the events, so they live here, where every layer may name them. The topics themselves are built in
 * one place, `mqtt/topics.ts`.
 */

export interface ProductCount {
  sku?: string;
  gtin?: string;
  name?: string;
  count: number;
}

/** `<base>/inventory/<zone>` and the answer to `inventory/get`. */
export interface InventorySnapshot {
  zone: string;
  /** ISO 8601 UTC, when the snapshot was made. */
  ts: string;
  count: number;
  /** Present while a reader covering the zone is offline or in error: the set may be out of date. */
  stale?: string;
  /** Per product (SKU, else GTIN; tags of neither are one entry without them), most numerous first. */
  products: ProductCount[];
  tags: Array<{ tag: string; sku?: string; gtin?: string; since: string; lastSeen: string }>;
  truncated?: true;
}

/** `<base>/readers/<id>`: a reader's or sensor's state and counters. */
export interface ReaderStatePayload {
  reader: string;
  state: 'online' | 'offline' | 'stalled' | 'error';
  /** ISO 8601 UTC: when this state began (or when it was first published). */
  since: string;
  reason?: string;
  counters: { bytes: number; frames: number; reads: number; errors: number; droppedBytes: number };
}

/** `<base>/displays/<id>`: what a display shows now. */
export interface ScreenContent {
  display: string;
  template: ScreenTemplateName;
  locale: string;
  ts: string;
  session?: string;
  lines: string[];
  items?: Array<{ name: string; price: string }>;
  total?: number;
  currency?: string;
}

/** One display as the store console previews it. */
export interface DisplayPreview {
  id: string;
  driver: 'mqtt' | 'serial-lcd';
  /** A character display's size in cells. */
  lcd?: { columns: number; rows: number };
  template?: ScreenTemplateName;
  locale?: string;
  /** When the screen was shown. */
  since?: string;
  /** An LCD's rows exactly as it holds them (ASCII, padded), or an MQTT display's lines. */
  lines: string[];
}

/** The funnel's counts, for one product and day or summed. */
export interface Counts {
  pickedUp: number;
  putBack: number;
  bought: number;
}

/** `conversion` = bought / pickedUp, rounded to 4 decimals; null when nothing was picked up. */
export type Figures = Counts & { conversion: number | null };

/** A product's figures over a range of days. */
export type ProductFigures = Figures & ProductRef;

/** `<base>/engagement`: today's figures in the store's time zone. */
export interface TodayPayload {
  day: string;
  timeZone: string;
  /** ISO 8601 UTC: when these figures were taken. */
  ts: string;
  /** By SKU; when more products had pick-ups than the cap, the most picked up ones. */
  products: ProductFigures[];
  /** Products left out of `products` (0 when all are listed). */
  omitted: number;
  totals: Figures;
}

export interface ReaderMetrics {
  state: 'online' | 'offline' | 'stalled' | 'error';
  reads: number;
  readsPerSec: number;
  /** Reads per second by antenna number (only antennas that were read). */
  antennas: Record<string, number>;
  frames: number;
  decodeErrors: number;
  droppedBytes: number;
  /** Times the reader went silent while its driver expected traffic (its tags were held). */
  stalls: number;
  /** Faults and warnings the reader reported itself (antenna missing, memory full, ...). */
  faults: number;
  /** Polls of a polled reader (R2000, Chafon, PN532) left unanswered. */
  missedPolls: number;
}

/** `<base>/metrics`: counters and gauges, rates since the previous sample. */
export interface MetricsPayload {
  ts: string;
  uptimeSec: number;
  readers: Record<string, ReaderMetrics>;
  core: Record<string, number>;
  outbox?: {
    depth: number;
    bytes: number;
    oldestAgeMs: number | null;
    dropped: number;
    deadLettered: number;
  };
  /** `url`: the broker node connected to (or being tried), without credentials; `moves`: to another node. */
  broker?: { connected: boolean; connects: number; disconnects: number; url: string; moves: number };
  /**
   * Sampled only while the loop has work (see `LoopMonitor`): all 0 after an idle interval, when
   * nothing was there to be delayed.
   */
  eventLoopLagMs: { p50: number; p99: number; max: number };
  /** Share of the interval the event loop spent running callbacks rather than waiting (0..1). */
  eventLoopUtilization: number;
  memory: { rssBytes: number; heapUsedBytes: number };
  /** What the features count (rules, exit monitor, engagement, displays), by feature. */
  [feature: string]: unknown;
}
