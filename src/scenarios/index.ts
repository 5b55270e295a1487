/**
 * Fridge scenarios: seeded, deterministic captures of an unattended smart fridge with the truth of
 * every session, for the purchase bench, tests, and integrators who want to try the gateway (or their
 * settle parameters) on realistic traffic without hardware.
 *
 * Usage (a script, no CLI needed):
 *
 *   import { configSchema } from 'rfid-gateway/dist/config/schema.js';
 *   import { generateFridgeScenario, scenarioGatewayConfig, writeFridgeScenario } from
 *     'rfid-gateway/dist/scenarios/index.js';
 *
 *   const scenario = generateFridgeScenario({ seed: 1, sessions: 50, items: 30, readProbability: 0.7 });
 *   await writeFridgeScenario('fridge.jsonl', scenario);          // the capture (DESIGN.md format)
 *   writeFileSync('fridge.truth.json', JSON.stringify(scenario.truth, null, 2));
 *   const { config, products } = scenarioGatewayConfig(scenario.truth);
 *   writeFileSync('fridge.config.json', JSON.stringify(configSchema.parse(config), null, 2));
 *   // rfid-gateway replay fridge.jsonl --config fridge.config.json  (load `products` into the catalog)
 *
 * `truth.sessions[i].basket` is what session i must charge; `runSettleHarness(scenario.plan, settle)`
 * measures the settle algorithm alone on the same traffic.
 */
import { captureHeader, captureLines, type ScenarioCaptureHeader, writeCapture } from './capture.js';
import { type FridgeScenarioOptions, planScenario, type ScenarioPlan, type ScenarioTruth } from './plan.js';
import { type Observation, observations } from './simulate.js';

export { SCENARIO_PORTS, type ScenarioCaptureHeader } from './capture.js';
export {
  SCENARIO_CABINET,
  type ScenarioConfigOptions,
  type ScenarioGatewayConfig,
  scenarioGatewayConfig,
} from './gateway-config.js';
export { COMPANY_PREFIX, em4100Card, gtinOf, type ScenarioProduct, sgtin96 } from './identifiers.js';
export {
  DEFAULT_MIX,
  DEFAULT_SCALE,
  type FridgeScenarioOptions,
  type ScenarioItem,
  type ScenarioPlan,
  type ScenarioScale,
  type ScenarioTruth,
  type SessionKind,
  type SessionMix,
  type SessionTruth,
} from './plan.js';
export { seededRandom } from './random.js';
export { type GatewayOutcome, matchOutcomes, replayScenario } from './replay-scenario.js';
export { type SearchModel, SimulatedSearch } from './search-model.js';
export {
  type HarnessOptions,
  percentile,
  runSettleHarness,
  type SessionOutcome,
  type SettleSummary,
} from './settle-harness.js';
export type { Observation } from './simulate.js';

export interface FridgeScenario {
  header: ScenarioCaptureHeader;
  truth: ScenarioTruth;
  plan: ScenarioPlan;
  /** What the devices report, in time order (`t` in ms since `header.startedAt`); lazy, repeatable. */
  observations(): Iterable<Observation>;
  /** The capture's chunk lines after the header (JSON text, no newline); lazy, repeatable. */
  chunkLines(): Iterable<string>;
}

/** Plans a fridge scenario from its seed; reads are drawn lazily when iterated or written. */
export function generateFridgeScenario(options: FridgeScenarioOptions): FridgeScenario {
  const plan = planScenario(options);
  return {
    header: captureHeader(plan),
    truth: plan.truth,
    plan,
    observations: () => observations(plan),
    chunkLines: () => captureLines(plan),
  };
}

/** Writes the scenario's capture file; the truth is `scenario.truth` (write it where you like). */
export function writeFridgeScenario(
  file: string,
  scenario: FridgeScenario,
): Promise<{ lines: number; bytes: number }> {
  return writeCapture(file, scenario.plan);
}
