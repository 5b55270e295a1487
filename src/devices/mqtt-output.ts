import type { OutputDriver } from './types.js';

/**
 * An actuator that is somebody else's device behind MQTT: the command is published as JSON
 * `{"value", "pulseMs"?, "restValue"?}` (QoS 1, not retained: a command replayed to a device that
 * reconnects hours later would be wrong). A pulse is ended by that device, which is told the value
 * to return to; the write resolves when the broker acknowledges.
 */
export class MqttOutput implements OutputDriver {
  constructor(
    readonly target: string,
    private readonly publish: (payload: string) => Promise<void>,
    /** The values the device takes, when the config lists them. */
    private readonly values?: readonly string[],
  ) {}

  refuses(value: string): string | undefined {
    if (this.values === undefined || this.values.includes(value)) return undefined;
    return `${JSON.stringify(value)} is not one of its values (${this.values.map((v) => JSON.stringify(v)).join(', ')})`;
  }

  set(value: string, pulseMs?: number, restValue?: string): Promise<void> {
    const command =
      pulseMs === undefined
        ? { value }
        : { value, pulseMs: Math.round(pulseMs), ...(restValue === undefined ? {} : { restValue }) };
    return this.publish(JSON.stringify(command));
  }
}
