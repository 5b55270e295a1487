import type { CommandStep, Driver, PollPlan, ReaderMessage, ReaderSettings } from '../../shared/decoding.js';
import {
  encodeAbort,
  encodeGetFirmwareVersion,
  encodeInListPassiveTarget,
  encodeRfFieldOff,
  encodeSamConfiguration,
  encodeSetPassiveActivationRetries,
  withWakeUp,
} from './commands.js';
import { createPn532Decoder } from './decoder.js';
import { Command } from './frame.js';
import { createPn532Simulator } from './simulator.js';

/** Settings the PN532 honours: only how often it is polled (the chip has no power or antenna knobs). */
export interface Pn532Settings extends ReaderSettings {
  /** Time between two polls (InListPassiveTarget), in ms. Default `DEFAULT_POLL_INTERVAL_MS`. */
  pollIntervalMs?: number;
}

/** Four polls a second: a card held to the reader is seen within a quarter of a second. */
export const DEFAULT_POLL_INTERVAL_MS = 250;
export const MIN_POLL_INTERVAL_MS = 50;
export const MAX_POLL_INTERVAL_MS = 10_000;
/**
 * The chip ACKs within 15 ms and answers a poll within tens of ms with a finite retry count, but a
 * USB serial adapter may hold the first bytes back up to about a second (nfcpy raises its first
 * timeout to 1.5 s for that), hence the generous bounds.
 */
export const COMMAND_TIMEOUT_MS = 1000;
export const WAKE_UP_TIMEOUT_MS = 1500;
/** Settle after the wake-up: the oscillator needs a moment before the next command (nfcpy waits too). */
const WAKE_UP_SETTLE_MS = 20;
/** After an abort the chip is ready for a command within a few ms; leave it a little more. */
const ABORT_SETTLE_MS = 10;
/**
 * MxRtyPassiveActivation for polls: one retry after the first try, so that a poll without a card
 * answers NbTg = 0 at once instead of waiting for a card for ever (the power-up 0xFF).
 */
export const POLL_PASSIVE_RETRIES = 0x01;

/** The answer to `command`, or the error frame the chip sends instead of an answer. */
export function answersCommand(command: number): (message: ReaderMessage) => boolean {
  return (message) =>
    (message.kind === 'response' && message.opcode === command) ||
    (message.kind === 'status' && message.code === 'error-frame');
}

function step(name: string, bytes: Uint8Array, command: number, optional = false): CommandStep {
  return { name, bytes, isAnswer: answersCommand(command), timeoutMs: COMMAND_TIMEOUT_MS, optional };
}

/**
 * Wake-up preamble + SAMConfiguration (normal mode) first, as the chip wants after power-up; then
 * the firmware version (identity), then a finite passive activation retry count so polls answer.
 * The wake-up is repeated at each start-up: an awake chip takes the preamble as idle bytes.
 */
function startup(): CommandStep[] {
  return [
    {
      name: 'wake up, SAM configuration (normal mode)',
      bytes: withWakeUp(encodeSamConfiguration()),
      isAnswer: answersCommand(Command.samConfiguration),
      timeoutMs: WAKE_UP_TIMEOUT_MS,
      settleMs: WAKE_UP_SETTLE_MS,
    },
    step('firmware version', encodeGetFirmwareVersion(), Command.getFirmwareVersion),
    step(
      'passive activation retries',
      encodeSetPassiveActivationRetries(POLL_PASSIVE_RETRIES),
      Command.rfConfiguration,
    ),
  ];
}

/** RF field off: no field left radiating (and nothing left to read) while the gateway is stopped. */
function shutdown(): CommandStep[] {
  return [step('RF field off', encodeRfFieldOff(), Command.rfConfiguration, true)];
}

/**
 * One poll: InListPassiveTarget for one 106 kbps type A card. The chip ACKs, then answers NbTg
 * (0 = no card) and the card; the answer's UID arrives as a tag read before the `response` that
 * ends the step. The answer is the reader's liveness traffic: a poll without an answer in
 * `timeoutMs` is a missed answer, and the next poll goes after an ACK that aborts it.
 */
export function pollPlan(settings: Pn532Settings = {}): PollPlan {
  const everyMs = settings.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  if (!Number.isInteger(everyMs) || everyMs < MIN_POLL_INTERVAL_MS || everyMs > MAX_POLL_INTERVAL_MS) {
    throw new RangeError(
      `pollIntervalMs ${everyMs} is not an integer in ${MIN_POLL_INTERVAL_MS}..${MAX_POLL_INTERVAL_MS}`,
    );
  }
  return {
    step: step('poll for a card', encodeInListPassiveTarget(1), Command.inListPassiveTarget),
    everyMs,
    afterMiss: {
      name: 'abort the unanswered poll',
      bytes: encodeAbort(),
      timeoutMs: 0,
      settleMs: ABORT_SETTLE_MS,
    },
  };
}

export const pn532Driver: Driver = {
  name: 'pn532',
  kind: 'reader',
  readsCards: true,
  defaultBaudRate: 115200,
  // No expectedTrafficMs: the chip says nothing unless polled; its liveness is the poll answers.
  createDecoder: (output) => createPn532Decoder(output),
  startup,
  shutdown,
  createSimulator: () => createPn532Simulator(),
  pollPlan: (settings) => pollPlan(settings),
};
