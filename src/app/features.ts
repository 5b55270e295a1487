import type { Writable } from 'node:stream';
import { alarmsFeature } from '../domain/alarms/index.js';
import { auditFeature } from '../domain/audit/index.js';
import { catalogFeature } from '../domain/catalog/index.js';
import { engagementFeature } from '../domain/engagement/index.js';
import { exitMonitorFeature, paidTagsFeature } from '../domain/exit-monitor/index.js';
import { inventoryFeature } from '../domain/inventory/index.js';
import { purchasesFeature } from '../domain/purchases/index.js';
import { rulesFeature } from '../domain/rules/index.js';
import { epcisFeature } from '../integrations/epcis/feature.js';
import { homeAssistantFeature } from '../integrations/homeassistant/feature.js';
import { httpFeature } from '../integrations/http/index.js';
import type { AnyFeature } from '../shared/feature.js';
import { displaysFeature } from './extensions/displays.js';
import { figuresFeature } from './extensions/figures.js';
import { metricsFeature } from './extensions/metrics.js';
import { outputsFeature } from './extensions/outputs.js';
import { requestsFeature } from './extensions/requests.js';
import { retainedStateFeature } from './extensions/retained-state.js';
import { stdoutFeature } from './extensions/stdout-events.js';

/** Where event lines go, and how (`replay`'s JSON contract, or readable lines for a person). */
export interface EventLines {
  stream: Writable;
  /** Readable lines instead of JSON (a person watching a terminal). */
  readable: boolean;
  /** Customers' references and cards as `[redacted]` (stdout is the journal: a log). */
  redact: boolean;
}

/** Whether commands from outside (MQTT requests, Home Assistant) may change anything. */
export interface RemoteCommands {
  /** Set when they may not, with the reason a refusal gives. */
  refusedBecause?: string;
}

declare module '../shared/feature.js' {
  interface Services {
    eventLines: EventLines;
    remoteCommands: RemoteCommands;
  }
}

/**
 * Every built-in feature. Their order here only breaks ties: each starts after what it needs and
 * uses, a feature that drives devices after the readers. Adding one is a folder and a line here.
 */
export const FEATURES: readonly AnyFeature[] = [
  stdoutFeature,
  catalogFeature,
  inventoryFeature,
  displaysFeature,
  purchasesFeature,
  paidTagsFeature,
  exitMonitorFeature,
  engagementFeature,
  rulesFeature,
  alarmsFeature,
  auditFeature,
  homeAssistantFeature,
  epcisFeature,
  figuresFeature,
  httpFeature,
  retainedStateFeature,
  metricsFeature,
  requestsFeature,
  outputsFeature,
];
