import type { SettleConfig } from '../config/cabinets.js';
import type { GatewayConfigInput } from '../config/schema.js';
import type { Product } from '../shared/commerce.js';
import { SCENARIO_PORTS } from './capture.js';
import type { ScenarioTruth } from './plan.js';

/** The cabinet id the generated config uses; purchase events name it. */
export const SCENARIO_CABINET = 'fridge1';

export interface ScenarioGatewayConfig {
  /** Pass to `configSchema.parse` (plain data: readers, sensors, actuator, cabinet, customers). */
  config: GatewayConfigInput;
  /** The catalog for the generated GTINs, for `Catalog.upsert` (not part of the config file). */
  products: Product[];
}

export interface ScenarioConfigOptions {
  gatewayId?: string;
  /** Overrides of the cabinet's settle parameters (cycleMs defaults to the scenario's). */
  settle?: Partial<SettleConfig>;
  /** Port strings; default `capture:<id>` as a config derived from a capture header has. */
  portPrefix?: string;
}

/**
 * The gateway config that matches a generated fridge scenario: reader `fridge` (zone `fridge`), card
 * reader `badge` (zone `entrance`), the door/lock controller `io` with actuator `lock`, one cabinet,
 * the customers' cards on the allow-list, and the products (returned beside it for the catalog).
 */
export function scenarioGatewayConfig(
  truth: ScenarioTruth,
  options: ScenarioConfigOptions = {},
): ScenarioGatewayConfig {
  const prefix = options.portPrefix ?? 'capture:';
  const currency = truth.products[0]?.currency ?? 'EUR';
  const config: GatewayConfigInput = {
    gatewayId: options.gatewayId ?? 'scenario',
    logLevel: 'silent',
    readers: [
      {
        id: SCENARIO_PORTS.reader,
        driver: 'thingmagic',
        port: `${prefix}${SCENARIO_PORTS.reader}`,
        zone: 'fridge',
        settings: { antennas: [1, 2] },
      },
      {
        id: SCENARIO_PORTS.cards,
        driver: 'em4100-ascii',
        port: `${prefix}${SCENARIO_PORTS.cards}`,
        zone: 'entrance',
      },
    ],
    sensors: [
      {
        id: SCENARIO_PORTS.io,
        driver: 'lines',
        port: `${prefix}${SCENARIO_PORTS.io}`,
        zone: 'fridge',
        // The scale's jitter is not news; the cabinet gets every sample all the same.
        ...(truth.scale ? { reportMinChange: { weight: 50 } } : {}),
      },
    ],
    actuators: [
      { id: 'lock', driver: 'lines', device: SCENARIO_PORTS.io, channel: 'lock', safeState: 'closed' },
    ],
    cabinets: [
      {
        id: SCENARIO_CABINET,
        zone: 'fridge',
        cardReader: SCENARIO_PORTS.cards,
        door: { sensor: SCENARIO_PORTS.io },
        lock: 'lock',
        currency,
        settle: { cycleMs: truth.cycleMs, ...options.settle },
        ...(truth.scale
          ? { scale: { sensor: SCENARIO_PORTS.io, channel: 'weight', emptyG: truth.scale.tareG } }
          : {}),
      },
    ],
    customers: truth.customers.map((customer) => ({ card: customer.card, reference: customer.reference })),
  };
  const products = truth.products.map(
    ({
      sku,
      gtin,
      name,
      unitPrice,
      currency: productCurrency,
      category,
      unitWeightG,
      weightToleranceG,
    }): Product => ({
      sku,
      gtin,
      name,
      unitPrice,
      currency: productCurrency,
      ...(category === undefined ? {} : { category }),
      unitWeightG,
      weightToleranceG,
    }),
  );
  return { config, products };
}
