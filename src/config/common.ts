import { z } from 'zod';
import { type ReconnectPolicy, reconnectPolicyProblems } from '../shared/backoff.js';
import { describeValue } from '../shared/issue-messages.js';

/** An id used in events and MQTT topics: safe in a topic level, a file name and a log line. */
export const id = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, {
    error: (issue) =>
      `must be 1-64 characters of letters, digits, _ . - (no spaces or /), got ${describeValue(issue.input)}`,
  })
  .describe('Identifier used in events and MQTT topics');

/** A serial device path, or a `/dev/serial/by-id/...` link. */
export const serialPath = z
  .string()
  .min(1)
  .describe('Serial device, e.g. /dev/ttyUSB0 or /dev/serial/by-id/...');

/** A locale the gateway ships display texts for; others may be given in full in `displayTexts`. */
export const locale = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Z][A-Za-z]{1,3})?$/, 'must be a locale tag such as en or zh-TW')
  .default('en');

/**
 * The backoff's own rules (`maxMs >= initialMs`, ...), so that `check-config` refuses what the
 * transport or the MQTT client would refuse at start.
 */
export function checkReconnectPolicy(policy: Partial<ReconnectPolicy>, context: z.core.$RefinementCtx): void {
  for (const problem of reconnectPolicyProblems(policy)) {
    context.addIssue({
      code: 'custom',
      path: [problem.field],
      message: problem.message,
      input: policy[problem.field],
    });
  }
}
