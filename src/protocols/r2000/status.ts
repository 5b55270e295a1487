/**
 * The reader's result codes (hex-in/pyImpinj `pyImpinj/enums.py`, `ImpinjR2KGlobalErrors`). A setter
 * answers one of them as its only data byte; an inventory answers one when it cannot run a round.
 */
export const ResultCode = {
  success: 0x10,
  fail: 0x11,
  antennaMissing: 0x22,
  noTag: 0x36,
  parameterInvalid: 0x41,
  antennaOutOfRange: 0x47,
  powerOutOfRange: 0x48,
  regionOutOfRange: 0x49,
} as const;

export interface StatusInfo {
  level: 'ok' | 'warning' | 'error';
  code: string;
}

const NAMES: ReadonlyMap<number, StatusInfo> = new Map([
  [0x10, { level: 'ok', code: 'success' }],
  [0x11, { level: 'error', code: 'fail' }],
  [0x20, { level: 'error', code: 'mcu-reset-error' }],
  [0x21, { level: 'error', code: 'cw-on-error' }],
  [0x22, { level: 'error', code: 'antenna-missing' }],
  [0x23, { level: 'error', code: 'write-flash-error' }],
  [0x24, { level: 'error', code: 'read-flash-error' }],
  [0x25, { level: 'error', code: 'set-output-power-error' }],
  [0x31, { level: 'warning', code: 'tag-inventory-error' }],
  // No tag in the field is a normal outcome of a round, not a fault.
  [0x36, { level: 'ok', code: 'no-tag' }],
  [0x38, { level: 'warning', code: 'buffer-empty' }],
  [0x41, { level: 'error', code: 'parameter-invalid' }],
  [0x47, { level: 'error', code: 'antenna-out-of-range' }],
  [0x48, { level: 'error', code: 'output-power-out-of-range' }],
  [0x49, { level: 'error', code: 'frequency-region-out-of-range' }],
  [0x4f, { level: 'error', code: 'frequency-range-invalid' }],
  [0x52, { level: 'error', code: 'pll-lock-fail' }],
  [0x53, { level: 'error', code: 'rf-chip-not-responding' }],
  [0x54, { level: 'warning', code: 'output-power-not-achieved' }],
  [0x56, { level: 'error', code: 'spectrum-regulation-error' }],
  [0x57, { level: 'warning', code: 'output-power-too-low' }],
]);

export function describeResult(code: number): StatusInfo {
  return NAMES.get(code) ?? { level: 'error', code: `error-0x${code.toString(16).padStart(2, '0')}` };
}
