import { BROADCAST_ADDRESS, Command, encodeFrame } from './frame.js';

/**
 * Host commands. Each takes the reader's address last (default 0xFF, which every reader answers)
 * and throws a RangeError naming the value it cannot encode.
 */

export const MAX_ANTENNA = 8;
export const MAX_POWER_DBM = 33;

/**
 * Frequency regions of command 0x78 and the channel indices each allows (hex-in/pyImpinj
 * `ImpinjR2KRegion` for the codes, its `FREQUENCY_TABLES` for the indices: 0–6 = 865.0–868.0 MHz,
 * 7–59 = 902.0–928.0 MHz in 0.5 MHz steps; CHN is 920–925 MHz).
 */
export const REGIONS = {
  FCC: { code: 0x01, first: 7, last: 59 },
  ETSI: { code: 0x02, first: 0, last: 6 },
  CHN: { code: 0x03, first: 43, last: 53 },
} as const;
export type RegionName = keyof typeof REGIONS;

function integerIn(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`R2000 ${name} ${value} is not an integer in ${min}..${max}`);
  }
  return value;
}

export function encodeGetFirmwareVersion(address = BROADCAST_ADDRESS): Uint8Array {
  return encodeFrame(address, Command.getFirmwareVersion);
}

/** `antenna` is 1-based (1..8); the wire carries 0..7. */
export function encodeSetWorkAntenna(antenna: number, address = BROADCAST_ADDRESS): Uint8Array {
  return encodeFrame(address, Command.setWorkAntenna, [integerIn('antenna', antenna, 1, MAX_ANTENNA) - 1]);
}

export function encodeGetWorkAntenna(address = BROADCAST_ADDRESS): Uint8Array {
  return encodeFrame(address, Command.getWorkAntenna);
}

/**
 * Output power in whole dBm (0..33, pyImpinj's assertion): one value for every port, or one per port
 * (4 or 8 values), the forms the protocol document gives for 0x76.
 */
export function encodeSetOutputPower(
  dbm: number | readonly number[],
  address = BROADCAST_ADDRESS,
): Uint8Array {
  const values = typeof dbm === 'number' ? [dbm] : dbm;
  if (values.length !== 1 && values.length !== 4 && values.length !== 8) {
    throw new RangeError(`R2000 output power takes 1, 4 or 8 values, not ${values.length}`);
  }
  return encodeFrame(
    address,
    Command.setOutputPower,
    values.map((value) => integerIn('output power (dBm)', value, 0, MAX_POWER_DBM)),
  );
}

export function encodeGetOutputPower(address = BROADCAST_ADDRESS): Uint8Array {
  return encodeFrame(address, Command.getOutputPower);
}

/** Region with its whole channel range unless a narrower one is given (indices, inclusive). */
export function encodeSetFrequencyRegion(
  region: string,
  range: { first?: number; last?: number } = {},
  address = BROADCAST_ADDRESS,
): Uint8Array {
  if (!Object.hasOwn(REGIONS, region)) {
    throw new RangeError(`R2000 region "${region}" is not one of ${Object.keys(REGIONS).join(', ')}`);
  }
  const { code, first, last } = REGIONS[region as RegionName];
  const start = integerIn(`${region} first channel`, range.first ?? first, first, last);
  const end = integerIn(`${region} last channel`, range.last ?? last, start, last);
  return encodeFrame(address, Command.setFrequencyRegion, [code, start, end]);
}

/** 0x89: `repeat` inventory rounds (1..255), each ended by a summary frame. */
export function encodeRealTimeInventory(repeat = 1, address = BROADCAST_ADDRESS): Uint8Array {
  return encodeFrame(address, Command.realTimeInventory, [integerIn('repeat count', repeat, 1, 255)]);
}

export type Target = 'A' | 'B';

/** 0x8B: Gen2 session 0..3 and inventoried flag target A/B (pyImpinj `session_inventory`). */
export function encodeSessionInventory(
  session: number,
  target: Target,
  repeat = 1,
  address = BROADCAST_ADDRESS,
): Uint8Array {
  if (target !== 'A' && target !== 'B')
    throw new RangeError(`R2000 target "${String(target)}" is not A or B`);
  return encodeFrame(address, Command.sessionInventory, [
    integerIn('session', session, 0, 3),
    target === 'A' ? 0 : 1,
    integerIn('repeat count', repeat, 1, 255),
  ]);
}

export interface FastSwitchStep {
  /** 1-based antenna, 1..4 in this four-port form of 0x8A. */
  antenna: number;
  /** Inventory rounds on it before switching (1..255). */
  rounds?: number;
}

const ANTENNA_DISABLED = 0xff;

/**
 * 0x8A, four-port form (pyImpinj `fast_switch_ant_inventory`): four (antenna, rounds) pairs, unused
 * ones 0xFF, then the pause between switches in ms and the repeat count.
 */
export function encodeFastSwitchInventory(
  steps: readonly FastSwitchStep[],
  options: { intervalMs?: number; repeat?: number } = {},
  address = BROADCAST_ADDRESS,
): Uint8Array {
  if (steps.length < 1 || steps.length > 4) {
    throw new RangeError(`R2000 fast antenna switching takes 1..4 antennas, not ${steps.length}`);
  }
  const data: number[] = [];
  for (let i = 0; i < 4; i++) {
    const step = steps[i];
    if (step === undefined) data.push(ANTENNA_DISABLED, 1);
    else {
      data.push(
        integerIn('fast-switch antenna', step.antenna, 1, 4) - 1,
        integerIn('fast-switch rounds', step.rounds ?? 1, 1, 255),
      );
    }
  }
  data.push(
    integerIn('fast-switch interval (ms)', options.intervalMs ?? 0, 0, 255),
    integerIn('repeat count', options.repeat ?? 1, 1, 255),
  );
  return encodeFrame(address, Command.fastSwitchInventory, data);
}
