import { hasControlCharacter, isValidChannel, MAX_LINE_BYTES } from './parse.js';

const utf8 = new TextEncoder();

/**
 * `<channel>=<value>\n`, the gateway's command to a device (e.g. `lock=open`). Throws a RangeError
 * for what the device could not read back as that one channel and value: a channel outside
 * CHANNEL_PATTERN, a value with CR, LF or another control character, a non-finite number, or a
 * line over MAX_LINE_BYTES.
 */
export function encodeLine(channel: string, value: string | number): Uint8Array {
  checkEntry(channel, value);
  return finish(`${channel}=${value}`);
}

/**
 * A line a sensor device would send, for demos and tests: `<channel>=<value>` for one channel,
 * one JSON object for several (booleans as JSON booleans, which the decoder turns into
 * "true"/"false"). Throws a RangeError as `encodeLine` does, or for no channel at all.
 */
export function encodeSensorLine(values: Readonly<Record<string, string | number | boolean>>): Uint8Array {
  const entries = Object.entries(values);
  for (const [channel, value] of entries) checkEntry(channel, value);
  const [only, ...others] = entries;
  if (only === undefined) throw new RangeError('a sensor line needs at least one channel');
  return finish(others.length === 0 ? `${only[0]}=${only[1]}` : JSON.stringify(values));
}

function checkEntry(channel: string, value: string | number | boolean): void {
  if (!isValidChannel(channel)) throw new RangeError(`invalid channel name ${JSON.stringify(channel)}`);
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new RangeError(`value of ${channel} is not a finite number: ${value}`);
  }
  // JSON would escape them, but the decoder refuses them in any form.
  if (typeof value === 'string' && hasControlCharacter(value)) {
    throw new RangeError(`value of ${channel} contains a control character (CR, LF, ...)`);
  }
}

function finish(line: string): Uint8Array {
  const bytes = utf8.encode(`${line}\n`);
  if (bytes.length - 1 > MAX_LINE_BYTES) {
    throw new RangeError(`line of ${bytes.length - 1} bytes exceeds ${MAX_LINE_BYTES}`);
  }
  return bytes;
}
