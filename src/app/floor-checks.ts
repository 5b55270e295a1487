import { type ConfigProblem, duplicateIdProblems, type ExtraCheck } from '../config/load.js';
import type { GatewayConfig } from '../config/schema.js';
import { allZones } from '../config/zones.js';
import { TagFilter } from '../core/tag-filter.js';
import { exitMonitorChecks } from '../domain/exit-monitor/index.js';
import { EVENT_TYPES } from '../shared/events.js';

/**
 * References between the store-floor sections, checked with their config paths: rules, displays,
 * actuators, the exit monitor and engagement name things that must exist, and a few combinations
 * that would fail only at run time (an MQTT actuator without a broker) are refused up front.
 */
export const floorChecks: ExtraCheck[] = [
  (config) => {
    const problems: ConfigProblem[] = [];
    const known = knownIds(config);
    const expect = (path: string, value: string, what: keyof typeof known) => {
      if (!known[what].has(value)) {
        problems.push({
          path,
          message: `"${value}" is not ${ARTICLE[what]} of this config (${what}: ${[...known[what]].join(', ') || 'none'})`,
        });
      }
    };
    const expectAll = (path: string, values: readonly string[] | undefined, what: keyof typeof known) => {
      for (const [position, value] of (values ?? []).entries()) expect(`${path}[${position}]`, value, what);
    };
    actuatorProblems(config, problems);
    duplicates(
      config.displays.map((display) => display.id),
      'displays',
      problems,
    );
    duplicates(
      config.rules.map((rule) => rule.id),
      'rules',
      problems,
    );
    config.rules.forEach((rule, index) => {
      const at = `rules[${index}]`;
      rule.on.forEach((type, position) => {
        if (!(EVENT_TYPES as readonly string[]).includes(type)) {
          problems.push({
            path: `${at}.on[${position}]`,
            message: `"${type}" is not an event type (${EVENT_TYPES.join(', ')})`,
          });
        }
      });
      if (rule.when.tag !== undefined) {
        try {
          new TagFilter([rule.when.tag], []);
        } catch (error) {
          problems.push({ path: `${at}.when.tag`, message: (error as Error).message });
        }
      }
      expectAll(`${at}.when.zone`, rule.when.zone, 'zones');
      expectAll(`${at}.when.reader`, rule.when.reader, 'readers');
      expectAll(`${at}.when.sensor`, rule.when.sensor, 'sensors');
      expectAll(`${at}.when.cabinet`, rule.when.cabinet, 'cabinets');
      rule.do.forEach((action, position) => {
        const path = `${at}.do[${position}]`;
        if ('pulse' in action) expect(`${path}.pulse.actuator`, action.pulse.actuator, 'actuators');
        if ('set' in action) expect(`${path}.set.actuator`, action.set.actuator, 'actuators');
        if ('show' in action) expect(`${path}.show.display`, action.show.display, 'displays');
        if ('publish' in action && !config.mqtt) {
          problems.push({
            path: `${path}.publish`,
            message: 'publishes, but the config has no mqtt section',
          });
        }
      });
    });
    // What an actuator is asked to do must be something it can do: a value a relay maps, a pulse
    // within its maxPulseMs. Otherwise the first unlock fails at run time and the cabinet is out of order.
    const command = (path: string, actuatorId: string, value: string, pulseMs?: number) => {
      const actuator = config.actuators.find((candidate) => candidate.id === actuatorId);
      if (!actuator) return;
      const values = valuesOf(actuator);
      if (values !== undefined && !values.includes(value)) {
        problems.push({
          path,
          message: `"${value}" is not one of ${actuatorId}'s values (${values.join(', ')})`,
        });
      }
      if (pulseMs !== undefined && pulseMs > actuator.maxPulseMs) {
        problems.push({
          path,
          message: `a pulse of ${pulseMs} ms is longer than ${actuatorId}'s maxPulseMs (${actuator.maxPulseMs})`,
        });
      }
    };
    config.rules.forEach((rule, index) => {
      rule.do.forEach((action, position) => {
        const path = `rules[${index}].do[${position}]`;
        if ('pulse' in action)
          command(`${path}.pulse`, action.pulse.actuator, action.pulse.value, action.pulse.ms);
        if ('set' in action) command(`${path}.set`, action.set.actuator, action.set.value);
      });
    });
    config.cabinets.forEach((cabinet, index) => {
      command(`cabinets[${index}].unlockValue`, cabinet.lock, cabinet.unlockValue, cabinet.unlockMs);
      command(`cabinets[${index}].lockValue`, cabinet.lock, cabinet.lockValue);
      // With a displays section, a cabinet's display is one of them: a typo must not quietly become
      // an MQTT display while the LCD on the door stays blank.
      if (
        cabinet.display !== undefined &&
        config.displays.length > 0 &&
        !config.displays.some((display) => display.id === cabinet.display)
      ) {
        problems.push({
          path: `cabinets[${index}].display`,
          message: `"${cabinet.display}" is not a display of this config (displays: ${config.displays.map((display) => display.id).join(', ')})`,
        });
      }
    });
    const alarm = config.exitMonitor?.alarm;
    for (const actuator of alarm?.actuators ?? []) {
      command('exitMonitor.alarm', actuator, alarm?.value ?? 'on', alarm?.pulseMs);
    }
    expectAll('exitMonitor.alarm.actuators', alarm?.actuators, 'actuators');
    if (alarm?.display !== undefined) expect('exitMonitor.alarm.display', alarm.display, 'displays');
    expectAll('engagement.zones', config.engagement?.zones, 'zones');
    problems.push(...exitMonitorChecks(config));
    return problems;
  },
];

const ARTICLE = {
  actuators: 'an actuator',
  displays: 'a display',
  zones: "a reader's zone",
  readers: 'a reader',
  sensors: 'a sensor',
  cabinets: 'a cabinet',
} as const;

function knownIds(config: GatewayConfig) {
  return {
    actuators: new Set(config.actuators.map((actuator) => actuator.id)),
    // A cabinet's `display` that the displays section does not list is an MQTT display of its own.
    displays: new Set([
      ...config.displays.map((display) => display.id),
      ...config.cabinets.flatMap((cabinet) => (cabinet.display === undefined ? [] : [cabinet.display])),
    ]),
    zones: new Set(allZones(config).map((zone) => zone.id)),
    readers: new Set(config.readers.map((reader) => reader.id)),
    sensors: new Set(config.sensors.map((sensor) => sensor.id)),
    cabinets: new Set(config.cabinets.map((cabinet) => cabinet.id)),
  };
}

/** The values an actuator takes, when they are known (a relay's mapping, a listed `values`). */
function valuesOf(actuator: GatewayConfig['actuators'][number]): readonly string[] | undefined {
  return actuator.driver === 'relay-lcus' ? Object.keys(actuator.values) : actuator.values;
}

function actuatorProblems(config: GatewayConfig, problems: ConfigProblem[]): void {
  const channels = new Map<string, string>();
  const bauds = new Map<string, { rate: number; id: string }>();
  config.actuators.forEach((actuator, index) => {
    const at = `actuators[${index}]`;
    if (actuator.driver === 'mqtt' && !config.mqtt) {
      problems.push({ path: `${at}.driver`, message: 'an mqtt actuator needs the mqtt section' });
    }
    const values = valuesOf(actuator);
    if (actuator.safeState !== null && values !== undefined && !values.includes(actuator.safeState)) {
      problems.push({
        path: `${at}.safeState`,
        message: `"${actuator.safeState}" is not one of its values (${values.join(', ')})`,
      });
    }
    if (actuator.driver !== 'relay-lcus') return;
    // One board, one port: the first actuator's baud rate would silently win over the others'.
    const baud = bauds.get(actuator.port);
    if (baud !== undefined && baud.rate !== actuator.baudRate) {
      problems.push({
        path: `${at}.baudRate`,
        message: `${actuator.port} is opened at ${baud.rate} baud for "${baud.id}"; one board, one rate`,
      });
    }
    bauds.set(actuator.port, baud ?? { rate: actuator.baudRate, id: actuator.id });
    const key = `${actuator.port}#${actuator.channel}`;
    const other = channels.get(key);
    if (other !== undefined) {
      problems.push({
        path: `${at}.channel`,
        message: `relay ${actuator.channel} of ${actuator.port} is already "${other}"`,
      });
    }
    channels.set(key, actuator.id);
  });
}

function duplicates(ids: string[], section: string, problems: ConfigProblem[]): void {
  problems.push(...duplicateIdProblems([[section, ids]]));
}
