import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Controller } from '../app/controller.js';
import { replayCapture } from '../app/replay.js';
import { configSchema } from '../config/schema.js';
import { silentLogger } from '../observability/logger.js';
import type { PurchaseEvidence } from '../shared/commerce.js';
import type { GatewayEvent } from '../shared/events.js';
import { UNSIGNED_CALLER } from '../shared/request-caller.js';
import { writeCapture } from './capture.js';
import { type ScenarioConfigOptions, scenarioGatewayConfig } from './gateway-config.js';
import type { ScenarioPlan, ScenarioTruth, SessionTruth } from './plan.js';

/**
 * A scenario through the whole gateway: its capture written and replayed by `replayCapture` with
 * the matching config and catalog, and each session of the truth paired with its purchase events.
 */

export interface GatewayOutcome {
  truth: SessionTruth;
  result: 'completed' | 'uncertain' | 'cancelled' | 'missing';
  charged: string[];
  settleMs: number | undefined;
  reasons: string[];
  evidence: PurchaseEvidence | undefined;
}

/** A session's purchase.started comes right after its card; this is generous. */
const START_MATCH_MS = 2000;

export async function replayScenario(
  dir: string,
  plan: ScenarioPlan,
  options: ScenarioConfigOptions & { name?: string; tweak?: (config: Record<string, unknown>) => void } = {},
): Promise<GatewayOutcome[] | undefined> {
  const file = join(dir, `${options.name ?? `scenario-${plan.options.seed}`}.jsonl`);
  await writeCapture(file, plan);
  const { config, products } = scenarioGatewayConfig(plan.truth, options);
  options.tweak?.(config as Record<string, unknown>);
  const events: GatewayEvent[] = [];
  try {
    await replayCapture({
      file,
      config: configSchema.parse(config),
      speed: 0,
      logger: silentLogger(),
      prepare: async (controller) => {
        await loadCatalog(controller, products);
        controller.bus.on(
          'scenario',
          ['purchase.started', 'purchase.completed', 'purchase.cancelled'],
          (event) => {
            events.push(event);
          },
        );
      },
    });
  } finally {
    rmSync(file, { force: true });
  }
  if (!events.some((event) => event.type === 'purchase.started')) return undefined;
  return matchOutcomes(plan.truth, events);
}

/** Loads the scenario's products through the catalog's own request, so receipts have prices. */
async function loadCatalog(controller: Controller, products: unknown[]): Promise<void> {
  const command = controller.requests.get('catalog/set');
  if (!command) return;
  await command.handler(command.schema.parse({ products }) as never, UNSIGNED_CALLER);
}

/** Pairs each session of the truth with its purchase events (by card time, then by session id). */
export function matchOutcomes(truth: ScenarioTruth, events: GatewayEvent[]): GatewayOutcome[] {
  const epoch = Date.parse(truth.startedAt);
  const starts = events.flatMap((event) =>
    event.type === 'purchase.started' ? [{ session: event.session, at: Date.parse(event.ts) - epoch }] : [],
  );
  const ends = new Map<string, GatewayEvent>();
  for (const event of events) {
    if (event.type === 'purchase.completed' || event.type === 'purchase.cancelled')
      ends.set(event.session, event);
  }
  return truth.sessions.map((session): GatewayOutcome => {
    const start = starts.find((candidate) => Math.abs(candidate.at - session.cardAtMs) <= START_MATCH_MS);
    const end = start ? ends.get(start.session) : undefined;
    const closedAt = session.closedAtMs;
    const settleMs = end && closedAt !== null ? Date.parse(end.ts) - epoch - closedAt : undefined;
    const base = { truth: session, settleMs, evidence: end && 'evidence' in end ? end.evidence : undefined };
    if (end?.type === 'purchase.completed') {
      return { ...base, result: 'completed', charged: end.items.map((item) => item.tag), reasons: [] };
    }
    if (end?.type === 'purchase.cancelled') {
      const result = end.confidence === 'uncertain' ? 'uncertain' : 'cancelled';
      return { ...base, result, charged: [], reasons: end.reasons ?? [end.reason] };
    }
    return { ...base, result: 'missing', charged: [], reasons: [] };
  });
}
