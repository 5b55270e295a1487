import type { CommandStep, Driver, PollPlan, ReaderMessage, ReaderSettings } from '../../shared/decoding.js';
import {
  encodeInventory,
  encodeReaderInfo,
  encodeSetFrequency,
  encodeSetPower,
  encodeSetScanTime,
  encodeSetWorkMode,
  type WorkMode,
} from './commands.js';
import { createChafonDecoder } from './decoder.js';
import { BROADCAST_ADDRESS, Command, Status } from './frame.js';
import { createSimulator } from './simulator.js';

/**
 * Settings the Chafon driver honours, beyond the common ones: `region` (band name, see `BANDS`;
 * unset = leave the reader's stored band alone: only the installer knows the legal one),
 * `readPowerDbm` (0-30, whole dBm; unset = reader's stored power). `antennas` is not honoured: the
 * UHFReader18 class has one antenna and the 288's plain inventory reads the stored one.
 */
export interface ChafonSettings extends ReaderSettings {
  /** `answer` (default): the host polls inventory; `scan`: the reader pushes tags unsolicited. */
  mode?: WorkMode;
  /** Inventory scan time, ms (300-25500, multiple of 100). Default 1000 (the reader's default). */
  scanTimeMs?: number;
  /** Time between the start of two polls in answer mode, ms. Default 250. */
  pollIntervalMs?: number;
  /** Reader address (0-255). Default 0xFF, which any address answers. */
  address?: number;
}

export const DEFAULT_SCAN_TIME_MS = 1000;
export const DEFAULT_POLL_INTERVAL_MS = 250;
export const MIN_POLL_INTERVAL_MS = 50;
export const MAX_POLL_INTERVAL_MS = 60_000;
const COMMAND_TIMEOUT_MS = 1000;
/**
 * An inventory answer comes once the scan time is over (the UR-series manual notes up to 75 ms
 * more); the margin covers that and 256 bytes at 9600 baud.
 */
const INVENTORY_MARGIN_MS = 500;

function answers(command: number): (message: ReaderMessage) => boolean {
  // A reader answers a command it could not parse with reCMD 0 and status 0xFE: that is its answer.
  return (message) =>
    message.kind === 'response' &&
    (message.opcode === command ||
      (message.opcode === Command.none && message.status === Status.illegalCommand));
}

function setter(name: string, bytes: Uint8Array, optional = false): CommandStep {
  return { name, bytes, isAnswer: answers(bytes[2] as number), timeoutMs: COMMAND_TIMEOUT_MS, optional };
}

function addressOf(settings: ChafonSettings): number {
  return settings.address ?? BROADCAST_ADDRESS;
}

function scanTimeOf(settings: ChafonSettings): number {
  return settings.scanTimeMs ?? DEFAULT_SCAN_TIME_MS;
}

/**
 * Reader information first (identity, and the inventory layout for the decoder), then the stored
 * settings, then the work mode. The work mode goes through 0x35, the UHFReader18 command; the
 * UHFReader288 sets it with 0x76 ([CF] `command.py`) and refuses 0x35, so that step is optional:
 * a 288 left in answer mode (its default) works as is.
 */
function startup(settings: ChafonSettings): CommandStep[] {
  const address = addressOf(settings);
  const steps: CommandStep[] = [
    {
      name: 'reader information',
      bytes: encodeReaderInfo(address),
      isAnswer: answers(Command.readerInfo),
      timeoutMs: COMMAND_TIMEOUT_MS,
    },
  ];
  if (settings.region !== undefined)
    steps.push(setter('set frequency', encodeSetFrequency(settings.region, {}, address)));
  if (settings.readPowerDbm !== undefined)
    steps.push(setter('set power', encodeSetPower(settings.readPowerDbm, address)));
  steps.push(setter('set scan time', encodeSetScanTime(scanTimeOf(settings), address)));
  steps.push(setter('set work mode', encodeSetWorkMode(settings.mode ?? 'answer', address), true));
  return steps;
}

/** A reader left in scan mode keeps pushing and ignores inventories: put it back in answer mode. */
function shutdown(settings: ChafonSettings): CommandStep[] {
  if (settings.mode !== 'scan') return [];
  return [setter('set answer mode', encodeSetWorkMode('answer', addressOf(settings)), true)];
}

/**
 * One poll in answer mode: an inventory, whose final answer is the first inventory frame whose
 * status is not 0x03 "more frames follow" (tags, timeout, memory full, antenna error, "no tag"
 * 0xFB, any refusal). Undefined in scan mode, where nothing is polled.
 */
export function pollPlan(settings: ChafonSettings): PollPlan | undefined {
  if (settings.mode === 'scan') return undefined;
  const everyMs = settings.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  if (!Number.isInteger(everyMs) || everyMs < MIN_POLL_INTERVAL_MS || everyMs > MAX_POLL_INTERVAL_MS) {
    throw new RangeError(
      `Chafon poll interval ${everyMs} ms is out of range (${MIN_POLL_INTERVAL_MS}-${MAX_POLL_INTERVAL_MS} ms)`,
    );
  }
  const inventoryDone = answers(Command.inventory);
  return {
    step: {
      name: 'inventory',
      bytes: encodeInventory(addressOf(settings)),
      isAnswer: (message) =>
        inventoryDone(message) && message.kind === 'response' && message.status !== Status.moreFrames,
      timeoutMs: scanTimeOf(settings) + INVENTORY_MARGIN_MS,
    },
    everyMs,
  };
}

export const chafonDriver: Driver = {
  name: 'chafon',
  kind: 'reader',
  defaultBaudRate: 57600,
  // No promise of its own: in answer mode the reader speaks only when polled (the poll answer is
  // the liveness traffic, see `pollPlan`), in scan mode only when a tag is in the field.
  createDecoder: (output) => createChafonDecoder(output),
  startup,
  shutdown,
  createSimulator: () => createSimulator(),
  pollPlan: (settings) => pollPlan(settings),
};
