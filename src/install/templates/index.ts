import { engineChecks } from '../../app/config-checks.js';
import { parseConfig } from '../../config/load.js';
import type { GatewayConfigInput } from '../../config/schema.js';
import { door } from './door.js';
import { fridge } from './fridge.js';
import { shelf } from './shelf.js';

/**
 * The configs `install --config-template` starts a gateway with, derived from the examples in
 * config/ (fridge.json, shelf.json, exit-door.json) without their demo data. They are modules, so
 * that the build puts them into dist/ (and the package) and the compiler checks them against the
 * config's schema.
 */
export const TEMPLATES = { fridge, shelf, door } as const satisfies Record<string, GatewayConfigInput>;

export type TemplateName = keyof typeof TEMPLATES;

export const TEMPLATE_NAMES = Object.keys(TEMPLATES) as TemplateName[];

export const DEFAULT_TEMPLATE: TemplateName = 'fridge';

export function isTemplateName(name: string): name is TemplateName {
  return Object.hasOwn(TEMPLATES, name);
}

/**
 * The config file text of a template, with `gatewayId` replaced by the machine's name when that is a
 * valid id (each gateway needs its own: it is the MQTT topic level). Checked exactly as `run` and
 * `check-config` check a config, so a template that goes stale with the schema fails here, not on a Pi.
 */
export function renderConfig(name: TemplateName, gatewayId?: string): string {
  const config: GatewayConfigInput = { ...TEMPLATES[name], ...(gatewayId ? { gatewayId } : {}) };
  parseConfig(config, `template ${name}`, engineChecks);
  return `${JSON.stringify(config, null, 2)}\n`;
}
