import { BROADCAST_ADDRESS, Command, encodeCommand } from './frame.js';

/**
 * Encoders for the commands the driver sends. Every value the reader would refuse (or, worse,
 * store) is refused here first with a RangeError naming it.
 */

/** RF power range of the UHFReader18/288 family, whole dBm (UHFReader18 manual §8.4 "set power"). */
export const MIN_POWER_DBM = 0;
export const MAX_POWER_DBM = 30;
/** Inventory scan time, in the reader's unit of 100 ms: 3-255 (UHFReader18 manual §8.4.4). */
export const SCAN_TIME_UNIT_MS = 100;
export const MIN_SCAN_TIME_MS = 3 * SCAN_TIME_UNIT_MS;
export const MAX_SCAN_TIME_MS = 255 * SCAN_TIME_UNIT_MS;

/**
 * Frequency bands: the 4-bit band code is split over the top two bits of MaxFre (bits 3-2) and
 * MinFre (bits 1-0), the low six bits being channel numbers ([CF] `base.py` `ReaderInfoFrame`,
 * `ReaderFrequencyBand`, `get_regional_frequency`). Channel counts from the UHFReader288 manual's
 * band table (first frequency + N × step); bands whose channel count the sources do not make clear
 * (Ukraine, Peru, Taiwan, US3) are left out rather than guessed.
 */
export const BANDS = {
  CN2: { code: 0b0001, channels: 20, firstMHz: 920.125, stepMHz: 0.25 },
  US: { code: 0b0010, channels: 50, firstMHz: 902.75, stepMHz: 0.5 },
  KR: { code: 0b0011, channels: 32, firstMHz: 917.1, stepMHz: 0.2 },
  EU: { code: 0b0100, channels: 15, firstMHz: 865.1, stepMHz: 0.2 },
  CN1: { code: 0b1000, channels: 20, firstMHz: 840.125, stepMHz: 0.25 },
  EU3: { code: 0b1001, channels: 4, firstMHz: 865.7, stepMHz: 0.6 },
} as const;
export type BandName = keyof typeof BANDS;

export function isBandName(name: string): name is BandName {
  return Object.hasOwn(BANDS, name);
}

/** Work modes of command 0x35 (UHFReader18 manual §8.4.9; [CF] `continuous-read.py`). */
export type WorkMode = 'answer' | 'scan';

function checkInteger(name: string, value: number, min: number, max: number, unit = ''): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`Chafon ${name} ${value}${unit} is out of range (${min}-${max}${unit})`);
  }
}

/** Inventory (0x01) with no parameters: the reader uses its stored scan time. */
export function encodeInventory(address: number = BROADCAST_ADDRESS): Uint8Array {
  return encodeCommand(Command.inventory, undefined, address);
}

/** Reader information (0x21): version, type, protocols, band, power, scan time. */
export function encodeReaderInfo(address: number = BROADCAST_ADDRESS): Uint8Array {
  return encodeCommand(Command.readerInfo, undefined, address);
}

/** Set RF power (0x2F), whole dBm. */
export function encodeSetPower(powerDbm: number, address: number = BROADCAST_ADDRESS): Uint8Array {
  checkInteger('read power', powerDbm, MIN_POWER_DBM, MAX_POWER_DBM, ' dBm');
  return encodeCommand(Command.setPower, Uint8Array.of(powerDbm), address);
}

/** Set frequency (0x22): a band and its channels `minChannel..maxChannel` (default: all of them). */
export function encodeSetFrequency(
  band: string,
  channels: { min?: number; max?: number } = {},
  address: number = BROADCAST_ADDRESS,
): Uint8Array {
  if (!isBandName(band)) {
    throw new RangeError(`Chafon region "${band}" is not one of ${Object.keys(BANDS).join(', ')}`);
  }
  const { code, channels: count } = BANDS[band];
  const min = channels.min ?? 0;
  const max = channels.max ?? count - 1;
  checkInteger(`${band} first channel`, min, 0, count - 1);
  checkInteger(`${band} last channel`, max, min, count - 1);
  const maxFre = ((code >> 2) << 6) | max;
  const minFre = ((code & 0b11) << 6) | min;
  return encodeCommand(Command.setFrequency, Uint8Array.of(maxFre, minFre), address);
}

/** Set inventory scan time (0x25), a whole number of 100 ms units. */
export function encodeSetScanTime(scanTimeMs: number, address: number = BROADCAST_ADDRESS): Uint8Array {
  if (scanTimeMs % SCAN_TIME_UNIT_MS !== 0) {
    throw new RangeError(`Chafon scan time ${scanTimeMs} ms is not a multiple of ${SCAN_TIME_UNIT_MS} ms`);
  }
  checkInteger('scan time', scanTimeMs, MIN_SCAN_TIME_MS, MAX_SCAN_TIME_MS, ' ms');
  return encodeCommand(Command.setScanTime, Uint8Array.of(scanTimeMs / SCAN_TIME_UNIT_MS), address);
}

/**
 * Set work mode (0x35): Read_mode, Mode_state, Mem_Inven, First_Adr, Word_Num, Tag_Time.
 * Answer mode is six zeros, as [CF] `set_answer_mode_reader_18` sends. Scan mode: Read_mode 1,
 * Mode_state 0x06 (bit 0 clear = ISO 18000-6C, bit 1 = output on RS-232/485 rather than Wiegand,
 * bit 2 = buzzer off: a fridge reader must not beep at every read), Mem_Inven 0x04 (multi-tag
 * inventory: the output carries EPCs), Word_Num 1, Tag_Time 0 (no repeat filter: the core dedups).
 * The mode is stored in the reader, so the driver sets it at every start-up.
 */
export function encodeSetWorkMode(mode: WorkMode, address: number = BROADCAST_ADDRESS): Uint8Array {
  const data = mode === 'scan' ? Uint8Array.of(0x01, 0x06, 0x04, 0x00, 0x01, 0x00) : new Uint8Array(6);
  return encodeCommand(Command.setWorkMode, data, address);
}
