import type { TaggedItem } from './commerce.js';

/** The screens the gateway shows; their text comes per locale (shipped: en, zh-TW; config `displayTexts`). */
export const SCREEN_TEMPLATES = [
  'idle',
  'welcome',
  'take',
  'settling',
  'receipt',
  'refused',
  'fault',
  'alarm',
  'out_of_order',
  'temperature',
] as const;
export type ScreenTemplateName = (typeof SCREEN_TEMPLATES)[number];

/** What a screen is about; each template uses what it needs. */
export interface ScreenData {
  /** The customer's display name: given only with their consent. */
  name?: string;
  cabinet?: string;
  items?: readonly TaggedItem[];
  /** Minor units of `currency`. */
  total?: number;
  currency?: string;
  /** A reason code (unknown_card, session_in_progress, out_of_order, uncertain, lock, unpaid_exit, temperature ...). */
  reason?: string;
  tag?: string;
  /** A product name (an alarm's item). */
  product?: string;
  /** The customer's usual products, most bought first (with consent only). */
  usual?: readonly string[];
}
