import type { ConfigProblem, ExtraCheck } from '../config/load.js';
import type { GatewayConfig } from '../config/schema.js';
import { describeValue } from '../shared/issue-messages.js';

/** What a `lines` device reports as a number (the decoder's rule: plain decimals). */
const DECIMAL = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$/;

/**
 * Numbers read from sensors, checked with their config paths: a cabinet's temperature guard must
 * name a sensor of the config and a channel that is not its door's, and a rule's `above`/`below`
 * (and `forMs`) must be able to fire at all.
 */
export const sensorValueChecks: ExtraCheck[] = [temperatureGuardProblems, ruleComparisonProblems];

function temperatureGuardProblems(config: GatewayConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const sensors = config.sensors.map((sensor) => sensor.id);
  config.cabinets.forEach((cabinet, index) => {
    const guard = cabinet.temperature;
    if (!guard) return;
    const at = `cabinets[${index}].temperature`;
    if (!sensors.includes(guard.sensor)) {
      problems.push({
        path: `${at}.sensor`,
        message: `"${guard.sensor}" is not a sensor of this config (sensors: ${sensors.join(', ') || 'none'})`,
      });
    }
    const door = doorChannels(config).find(
      (candidate) => candidate.sensor === guard.sensor && candidate.channel === guard.channel,
    );
    if (door) {
      problems.push({
        path: `${at}.channel`,
        message: `${door.says}, not temperatures (got "${guard.channel}")`,
      });
    }
  });
  return problems;
}

function ruleComparisonProblems(config: GatewayConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const doors = doorChannels(config);
  config.rules.forEach((rule, index) => {
    const at = `rules[${index}].when`;
    const { above, below, forMs, channel, sensor, value } = rule.when;
    const compares = above !== undefined || below !== undefined;
    if (!compares) {
      if (forMs !== undefined) {
        problems.push({
          path: `${at}.forMs`,
          message: `is how long a value must stay above or below a number, but the rule has neither above nor below (got ${forMs})`,
        });
      }
      return;
    }
    const comparison = above !== undefined ? 'above' : 'below';
    if (above !== undefined && below !== undefined && above >= below) {
      problems.push({
        path: `${at}.below`,
        message: `must be greater than above (${above}): no value is above ${above} and below ${below} (got ${below})`,
      });
    }
    if (!rule.on.includes('sensor.changed')) {
      problems.push({
        path: `${at}.${comparison}`,
        message: `compares a sensor.changed value, but the rule is on ${rule.on.join(', ')} only (got ${above ?? below})`,
      });
    }
    if (value !== undefined) {
      problems.push({
        path: `${at}.value`,
        message: `is an exact value, ${comparison} a range: give one of them (got ${value.map(describeValue).join(', ')})`,
      });
    }
    if (channel === undefined) {
      problems.push({
        path: `${at}.channel`,
        message: `is needed with ${comparison}: name the channel whose numbers are compared (got nothing)`,
      });
      return;
    }
    channel.forEach((name, position) => {
      const door = doors.find(
        (candidate) =>
          candidate.channel === name && (sensor === undefined || sensor.includes(candidate.sensor)),
      );
      if (door) {
        problems.push({
          path: `${at}.channel[${position}]`,
          message: `${door.says}, never numbers: ${comparison} would never fire (got "${name}")`,
        });
      }
    });
  });
  return problems;
}

/** Channels known to carry words: the cabinets' doors (unless their values are numbers). */
function doorChannels(config: GatewayConfig): Array<{ sensor: string; channel: string; says: string }> {
  return config.cabinets.flatMap((cabinet, index) => {
    const { sensor, channel, openValue, closedValue } = cabinet.door;
    if (DECIMAL.test(openValue) && DECIMAL.test(closedValue)) return [];
    return [
      {
        sensor,
        channel,
        says: `channel "${channel}" of sensor "${sensor}" is cabinets[${index}]'s door ("${openValue}"/"${closedValue}")`,
      },
    ];
  });
}
