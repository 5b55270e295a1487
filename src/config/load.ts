import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { z } from 'zod';
import { formatPath, namingReceivedValue } from '../shared/issue-messages.js';
import { findJsonSyntaxError } from './json-error.js';
import { configSchema, type GatewayConfig } from './schema.js';
import { deviceZones } from './zones.js';

// One formatter for config files, capture headers and derived configs (the replay command's errors).
export { formatIssue, formatIssues, formatPath, namingReceivedValue } from '../shared/issue-messages.js';

export interface ConfigProblem {
  /** `readers[1].baudRate`; empty for the document as a whole. */
  path: string;
  message: string;
}

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: ConfigProblem[],
  ) {
    super(
      `${source}: invalid config\n${problems.map((p) => `  ${p.path || '(root)'}: ${p.message}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

/**
 * `duplicate id "x" (also readers[0])` for every entry whose id an earlier one has, in one or more
 * lists sharing one namespace (readers and sensors are both devices).
 */
export function duplicateIdProblems(
  lists: ReadonlyArray<readonly [section: string, ids: readonly string[]]>,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const first = new Map<string, string>();
  for (const [section, ids] of lists) {
    ids.forEach((id, index) => {
      const earlier = first.get(id);
      if (earlier !== undefined) {
        problems.push({ path: `${section}[${index}].id`, message: `duplicate id "${id}" (also ${earlier})` });
      } else first.set(id, `${section}[${index}]`);
    });
  }
  return problems;
}

/**
 * One problem per field: several checks may find the same one (the core checks duplicate readers
 * too), and the first, most specific, is enough.
 */
function onePerPath(problems: readonly ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    if (seen.has(problem.path)) return false;
    seen.add(problem.path);
    return true;
  });
}

/** Checks that need the whole document: unique ids and references between sections. */
function crossReferenceProblems(config: GatewayConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [
    ...duplicateIdProblems([
      ['readers', config.readers.map((reader) => reader.id)],
      ['sensors', config.sensors.map((sensor) => sensor.id)],
    ]),
    ...duplicateIdProblems([['zones', config.zones.map((zone) => zone.id)]]),
    ...duplicateIdProblems([['doors', config.doors.map((door) => door.id)]]),
  ];
  const zoneIds = new Set(config.zones.map((zone) => zone.id));
  const knownZones = new Set(zoneIds);
  for (const device of [...config.readers, ...config.sensors])
    for (const zone of deviceZones(device).all) knownZones.add(zone);
  config.doors.forEach((door, index) => {
    door.path.forEach((zone, step) => {
      if (!knownZones.has(zone)) {
        problems.push({
          path: `doors[${index}].path[${step}]`,
          message: `unknown zone "${zone}" (zones: ${[...knownZones].join(', ') || 'none'})`,
        });
      }
    });
    if (new Set(door.path).size !== door.path.length) {
      problems.push({ path: `doors[${index}].path`, message: 'a zone appears twice in the path' });
    }
  });
  if (config.resetStoreAtStart) {
    // The store of a real shop holds purchases not yet published: never deleted because of a config.
    const real = [
      ...config.readers.map((device, index) => ({ at: `readers[${index}]`, port: device.port })),
      ...config.sensors.map((device, index) => ({ at: `sensors[${index}]`, port: device.port })),
    ].find((device) => !device.port.startsWith('replay:'));
    if (real !== undefined || config.readers.length + config.sensors.length === 0) {
      problems.push({
        path: 'resetStoreAtStart',
        message:
          real === undefined
            ? 'only for a config whose readers and sensors replay captures, and this one has none'
            : `only for a config whose readers and sensors all replay captures (${real.at}.port is ${JSON.stringify(real.port)}): it deletes the store at every start`,
      });
    }
  }
  return problems;
}

export type ExtraCheck = (config: GatewayConfig) => ConfigProblem[];

/** Validates a parsed JSON document; `extraChecks` lets the app add checks that need other layers. */
export function parseConfig(
  document: unknown,
  source: string,
  extraChecks: ExtraCheck[] = [],
): GatewayConfig {
  const config = parseSchema(document, source);
  const problems = referenceProblems(config, extraChecks);
  if (problems.length > 0) throw new ConfigError(source, problems);
  return config;
}

function parseSchema(document: unknown, source: string): GatewayConfig {
  const result = configSchema.safeParse(document, { error: namingReceivedValue });
  if (!result.success) {
    throw new ConfigError(source, issuesToProblems(result.error.issues));
  }
  return result.data;
}

function referenceProblems(config: GatewayConfig, extraChecks: ExtraCheck[]): ConfigProblem[] {
  return onePerPath([...crossReferenceProblems(config), ...extraChecks.flatMap((check) => check(config))]);
}

export function issuesToProblems(issues: ReadonlyArray<z.core.$ZodIssue>): ConfigProblem[] {
  return issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}

/** The config file as JSON, before any schema: a ConfigError when it cannot be read or parsed. */
export function readConfigDocument(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [{ path: '', message: `cannot read: ${(error as Error).message}` }]);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const where = findJsonSyntaxError(text);
    throw new ConfigError(file, [
      {
        path: '',
        message:
          where === undefined
            ? `not valid JSON: ${(error as Error).message}`
            : `not valid JSON at line ${where.line}, column ${where.column}: ${where.message}`,
      },
    ]);
  }
}

/**
 * Reads, validates and resolves a config file. `fileChecks` see the config with its paths resolved
 * (the files it names); their problems are reported with the others, once the schema is satisfied.
 */
export function loadConfigFile(
  file: string,
  extraChecks: ExtraCheck[] = [],
  fileChecks: ExtraCheck[] = [],
): GatewayConfig {
  const config = parseSchema(readConfigDocument(file), file);
  const resolved = resolvePaths(config, dirname(file));
  const problems = [
    ...referenceProblems(config, extraChecks),
    ...fileChecks.flatMap((check) => check(resolved)),
  ];
  if (problems.length > 0) throw new ConfigError(file, problems);
  return resolved;
}

/** Paths in a config file (captures, data dir, certificates) are relative to that file. */
function resolvePaths(config: GatewayConfig, baseDir: string): GatewayConfig {
  const resolvePort = <T extends { port: string }>(device: T): T => {
    if (!device.port.startsWith('replay:')) return device;
    const path = device.port.slice('replay:'.length);
    return isAbsolute(path) ? device : { ...device, port: `replay:${resolve(baseDir, path)}` };
  };
  const resolveFile = (path: string | undefined) => (path === undefined ? undefined : resolve(baseDir, path));
  const mqtt = config.mqtt && {
    ...config.mqtt,
    ...(config.mqtt.passwordFile ? { passwordFile: resolveFile(config.mqtt.passwordFile) } : {}),
    ...(config.mqtt.ca ? { ca: resolveFile(config.mqtt.ca) } : {}),
    ...(config.mqtt.cert ? { cert: resolveFile(config.mqtt.cert) } : {}),
    ...(config.mqtt.key ? { key: resolveFile(config.mqtt.key) } : {}),
  };
  return {
    ...config,
    dataDir: resolve(baseDir, config.dataDir),
    ...(config.catalogFile ? { catalogFile: resolve(baseDir, config.catalogFile) } : {}),
    ...(mqtt ? { mqtt } : {}),
    ...(config.http?.console.tokenFile
      ? {
          http: {
            ...config.http,
            console: { ...config.http.console, tokenFile: resolve(baseDir, config.http.console.tokenFile) },
          },
        }
      : {}),
    readers: config.readers.map(resolvePort),
    sensors: config.sensors.map(resolvePort),
    security: {
      ...config.security,
      signedCommands: {
        ...config.security.signedCommands,
        clients: config.security.signedCommands.clients.map((client) => ({
          ...client,
          keyFile: resolve(baseDir, client.keyFile),
        })),
      },
    },
  };
}
