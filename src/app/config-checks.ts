import { type ConfigProblem, duplicateIdProblems, type ExtraCheck } from '../config/load.js';
import type { GatewayConfig } from '../config/schema.js';
import { allZones } from '../config/zones.js';
import { validateEngineConfig } from '../core/index.js';
import { TagFilter } from '../core/tag-filter.js';
import { driverNamed, drivers } from '../protocols/index.js';
import { engineConfigFrom } from './engine-config.js';
import { floorChecks } from './floor-checks.js';
import { readerSettingsChecks } from './reader-settings-checks.js';
import { sensorValueChecks } from './sensor-checks.js';

/**
 * A card reader's reads pass the same filters as goods: a customer's card that an SGTIN-only
 * `filters.include` drops never opens a cabinet, silently. Checked for the cards the config lists.
 */
function filteredCards(config: GatewayConfig): ConfigProblem[] {
  const { include, exclude } = config.filters;
  if (include.length === 0 && exclude.length === 0) return [];
  const filter = new TagFilter(include, exclude);
  const problems: ConfigProblem[] = [];
  config.customers.forEach((customer, index) => {
    const bytes = Buffer.from(customer.card, 'hex');
    if (filter.accepts(bytes, 0, bytes.length)) return;
    problems.push({
      path: `customers[${index}].card`,
      message: `"${customer.card}" is dropped by filters.include/exclude, which card readers' reads pass too: add a hex prefix of your cards to filters.include`,
    });
  });
  return problems;
}

/** Checks only the core can make (pattern URIs, its own limits), reported with config paths. */
export const engineChecks: ExtraCheck[] = [
  (config) => {
    const problems: ConfigProblem[] = [];
    for (const list of ['include', 'exclude'] as const) {
      config.filters[list].forEach((pattern, index) => {
        try {
          new TagFilter([pattern], []);
        } catch (error) {
          problems.push({ path: `filters.${list}[${index}]`, message: (error as Error).message });
        }
      });
    }
    if (problems.length > 0) return problems;
    problems.push(...filteredCards(config));
    try {
      validateEngineConfig(engineConfigFrom(config));
    } catch (error) {
      const message = (error as Error).message;
      const colon = message.indexOf(': ');
      problems.push(
        colon > 0
          ? { path: message.slice(0, colon), message: message.slice(colon + 2) }
          : { path: '', message },
      );
    }
    return problems;
  },
  (config) => {
    // Only a `lines` device takes `channel=value` lines; an OpenScale would read an `x` in one as
    // its menu key and stop weighing.
    const sensors = new Set(
      config.sensors.filter((sensor) => sensor.driver === 'lines').map((sensor) => sensor.id),
    );
    const problems: ConfigProblem[] = [];
    config.actuators.forEach((actuator, index) => {
      if (actuator.driver === 'lines' && !sensors.has(actuator.device)) {
        const known = [...sensors].join(', ') || 'none';
        problems.push({
          path: `actuators[${index}].device`,
          message: `"${actuator.device}" is not a lines sensor of this config (sensors: ${known})`,
        });
      }
    });
    problems.push(...duplicateIdProblems([['actuators', config.actuators.map((actuator) => actuator.id)]]));
    return problems;
  },
  (config) => {
    const problems: ConfigProblem[] = [];
    const zones = new Set(allZones(config).map((zone) => zone.id));
    const readers = new Set(config.readers.map((reader) => reader.id));
    const sensors = new Set(config.sensors.map((sensor) => sensor.id));
    const actuators = new Set(config.actuators.map((actuator) => actuator.id));
    const list = (ids: Set<string>) => [...ids].join(', ') || 'none';
    config.cabinets.forEach((cabinet, index) => {
      const at = `cabinets[${index}]`;
      if (!zones.has(cabinet.zone)) {
        problems.push({
          path: `${at}.zone`,
          message: `"${cabinet.zone}" is no reader's zone (zones: ${list(zones)})`,
        });
      }
      if (cabinet.cardReader !== undefined && !readers.has(cabinet.cardReader)) {
        problems.push({
          path: `${at}.cardReader`,
          message: `"${cabinet.cardReader}" is not a reader of this config (readers: ${list(readers)})`,
        });
      } else if (cabinet.cardReader !== undefined) {
        const driver = config.readers.find((reader) => reader.id === cabinet.cardReader)?.driver ?? '';
        if (!driverNamed(driver).readsCards) {
          const cardDrivers = [...drivers.values()]
            .filter((known) => known.readsCards)
            .map((known) => known.name);
          problems.push({
            path: `${at}.cardReader`,
            message: `"${cabinet.cardReader}" is a ${driver} reader, which reads goods, not cards (card readers: ${cardDrivers.join(', ')})`,
          });
        }
      }
      if (!sensors.has(cabinet.door.sensor)) {
        problems.push({
          path: `${at}.door.sensor`,
          message: `"${cabinet.door.sensor}" is not a sensor of this config (sensors: ${list(sensors)})`,
        });
      }
      if (cabinet.scale && !sensors.has(cabinet.scale.sensor)) {
        problems.push({
          path: `${at}.scale.sensor`,
          message: `"${cabinet.scale.sensor}" is not a sensor of this config (sensors: ${list(sensors)})`,
        });
      }
      if (!actuators.has(cabinet.lock)) {
        problems.push({
          path: `${at}.lock`,
          message: `"${cabinet.lock}" is not an actuator of this config (actuators: ${list(actuators)})`,
        });
      }
      const first = config.cabinets.findIndex((other) => other.id === cabinet.id);
      if (first !== index) {
        problems.push({
          path: `${at}.id`,
          message: `duplicate id "${cabinet.id}" (also cabinets[${first}])`,
        });
      }
      // Shared between two cabinets, one card would open both and one item could be charged twice.
      const earlier = config.cabinets.slice(0, index);
      const shared = (
        what: string,
        value: string | undefined,
        of: (other: typeof cabinet) => string | undefined,
      ) => {
        const other = value === undefined ? undefined : earlier.find((candidate) => of(candidate) === value);
        if (other)
          problems.push({ path: `${at}.${what}`, message: `"${value}" is already cabinet "${other.id}"'s` });
      };
      shared('zone', cabinet.zone, (other) => other.zone);
      shared('cardReader', cabinet.cardReader, (other) => other.cardReader);
      shared(
        'door.sensor',
        `${cabinet.door.sensor}.${cabinet.door.channel}`,
        (other) => `${other.door.sensor}.${other.door.channel}`,
      );
    });
    return problems;
  },
  signingClientProblems,
  consoleClientProblems,
  ...floorChecks,
  ...sensorValueChecks,
  ...readerSettingsChecks,
];

/** The keys are looked up by client id: a client listed twice would make start-up refuse. */
function signingClientProblems(config: GatewayConfig): ConfigProblem[] {
  const clients = config.security.signedCommands.clients;
  return clients.flatMap((client, index) =>
    clients.findIndex((other) => other.id === client.id) === index
      ? []
      : [{ path: `security.signedCommands.clients[${index}].id`, message: `"${client.id}" is listed twice` }],
  );
}

/** The console signs with a listed client's key; a name that is not listed would fail every change. */
function consoleClientProblems(config: GatewayConfig): ConfigProblem[] {
  const client = config.http?.console.client;
  if (client === undefined) return [];
  const listed = config.security.signedCommands.clients.map((entry) => entry.id);
  if (listed.includes(client)) return [];
  return [
    {
      path: 'http.console.client',
      message: `"${client}" is not a client of security.signedCommands.clients (listed: ${listed.join(', ') || 'none'})`,
    },
  ];
}
