/**
 * The one place that turns a module status word into a reader-health message (protocols.md §1.2,
 * §1.5; codes from MercuryAPI `tmr_status.h`). Codes are stable strings: dashboards and rules key on
 * them, so renaming one is a breaking change.
 */

export interface StatusInfo {
  level: 'ok' | 'warning' | 'error';
  code: string;
  detail: string;
}

export const Status = {
  ok: 0x0000,
  /** "No tags found": in a stream it is the read-cycle heartbeat. */
  noTagsFound: 0x0400,
  antennaNotConnected: 0x0503,
  temperatureExceedsLimits: 0x0504,
  highReturnLoss: 0x0505,
  tagIdBufferFull: 0x0601,
} as const;

const KNOWN: ReadonlyMap<number, StatusInfo> = new Map([
  [Status.noTagsFound, { level: 'ok', code: 'keepalive', detail: 'read cycle heartbeat' }],
  [
    Status.antennaNotConnected,
    { level: 'error', code: 'antenna-not-connected', detail: 'no antenna detected on the port' },
  ],
  [
    Status.temperatureExceedsLimits,
    { level: 'warning', code: 'over-temperature', detail: 'module too hot, RF throttled' },
  ],
  [
    Status.highReturnLoss,
    { level: 'warning', code: 'high-return-loss', detail: 'antenna mismatch or damage, RF reflected' },
  ],
  [Status.tagIdBufferFull, { level: 'warning', code: 'tag-buffer-full', detail: 'tag reads being lost' }],
  [0x0100, { level: 'error', code: 'wrong-data-length', detail: 'module rejected the command length' }],
  [0x0101, { level: 'error', code: 'invalid-opcode', detail: 'module does not know the command' }],
  [0x0105, { level: 'error', code: 'invalid-parameter', detail: 'module rejected a parameter value' }],
] satisfies [number, StatusInfo][]);

function hex16(value: number): string {
  return `0x${value.toString(16).padStart(4, '0')}`;
}

/** Unknown codes are errors named after their value, so they stay distinguishable without a table entry. */
export function describeStatus(status: number): StatusInfo {
  return KNOWN.get(status) ?? { level: 'error', code: `status-${hex16(status)}`, detail: 'module status' };
}
