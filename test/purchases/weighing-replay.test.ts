import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_SCALE,
  type GatewayOutcome,
  generateFridgeScenario,
  replayScenario,
} from '../../src/scenarios/index.js';

/**
 * The scale as evidence, through `replay` and the whole gateway: generated fridge captures with a
 * scale under the shelves (10 Hz, 2 g noise, hands on the shelves while the door is open, the
 * cabinet rocking after a close) and some items whose tag is dead (never read). Every outcome is
 * checked against the scenario's truth, not against what the gateway said before.
 */
const dir = mkdtempSync(join(tmpdir(), 'rfid-weighing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const exact = (outcome: GatewayOutcome) =>
  [...outcome.charged].sort().join() === [...outcome.truth.basket].sort().join();

describe('a weighing fridge, replayed', () => {
  it('charges what the tags and the weight agree on, and never charges around an item nobody read', async () => {
    const scenario = generateFridgeScenario({
      seed: 14_001,
      sessions: 24,
      readProbability: 0.7,
      scale: DEFAULT_SCALE,
      deadShare: 0.12,
    });
    const dead = new Set(
      scenario.truth.items.filter((item) => item.tagState === 'dead').map((item) => item.tag),
    );
    const outcomes = (await replayScenario(dir, scenario.plan)) ?? [];
    const opened = outcomes.filter((outcome) => outcome.truth.openedAtMs !== null);
    expect(opened.length).toBeGreaterThan(15);
    // No session charged anything but its basket.
    for (const outcome of opened.filter((o) => o.result === 'completed')) expect(exact(outcome)).toBe(true);
    // A basket with an item whose tag was never read: uncertain, with the grams nobody explains.
    const withDead = opened.filter((outcome) => outcome.truth.basket.some((tag) => dead.has(tag)));
    expect(withDead.length).toBeGreaterThan(0);
    for (const outcome of withDead) {
      expect(outcome.result).toBe('uncertain');
      expect(outcome.reasons.some((reason) => reason.startsWith('weight_mismatch'))).toBe(true);
      expect(outcome.evidence?.weight?.status).toBe('disagreed');
    }
    // The others are charged, the weight agreeing with the tags or deciding the tags left undecided.
    const statuses = new Set(
      opened.filter((o) => o.result === 'completed').map((o) => o.evidence?.weight?.status),
    );
    expect(statuses.has('decided') || statuses.has('agreed')).toBe(true);
    const clean = opened.filter((outcome) => !outcome.truth.basket.some((tag) => dead.has(tag)));
    expect(clean.filter((outcome) => outcome.result === 'completed').length).toBeGreaterThan(
      clean.length * 0.9,
    );
  });

  it('without a stable weight before the door opened, charges on the tags alone and says why', async () => {
    const scenario = generateFridgeScenario({ seed: 14_002, sessions: 6, readProbability: 0.8 });
    // The cabinet names a scale, but the capture carries no samples: the scale never reported.
    const outcomes =
      (await replayScenario(dir, scenario.plan, {
        tweak: (config) => {
          const cabinets = config.cabinets as Array<Record<string, unknown>>;
          (cabinets[0] as Record<string, unknown>).scale = { sensor: 'io', channel: 'weight' };
        },
      })) ?? [];
    const completed = outcomes.filter((outcome) => outcome.result === 'completed');
    expect(completed.length).toBeGreaterThan(2);
    for (const outcome of completed) {
      expect(exact(outcome)).toBe(true);
      expect(outcome.evidence?.weight).toEqual({
        status: 'unused',
        reason: 'no stable weight before the door opened',
      });
    }
  });
});
