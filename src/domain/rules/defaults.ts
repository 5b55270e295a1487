import type { RuleConfig } from '../../config/rules.js';
import type { GatewayConfig } from '../../config/schema.js';

/**
 * Rules the gateway adds by itself, so that a config says what it wants and not how: an exit
 * monitor's `alarm` section becomes a rule on `security.alarm` of kind `unpaid_exit` that pulses
 * the buzzer and light and shows the alarm screen. They run like configured rules (same counters,
 * same failure handling), with ids starting with `default:`.
 */
export function defaultRules(config: GatewayConfig): RuleConfig[] {
  const alarm = config.exitMonitor?.alarm;
  if (!alarm || (alarm.actuators.length === 0 && alarm.display === undefined)) return [];
  return [
    {
      id: 'default:unpaid-exit',
      on: ['security.alarm'],
      when: { kind: ['unpaid_exit'] },
      do: [
        ...alarm.actuators.map((actuator) => ({
          pulse: { actuator, value: alarm.value, ms: alarm.pulseMs },
        })),
        ...(alarm.display === undefined
          ? []
          : [{ show: { display: alarm.display, template: 'alarm' as const } }]),
      ],
      enabled: true,
    },
  ];
}
