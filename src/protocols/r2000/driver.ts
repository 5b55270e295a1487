import type { CommandStep, Driver, PollPlan, ReaderMessage, ReaderSettings } from '../../shared/decoding.js';
import {
  encodeFastSwitchInventory,
  encodeGetFirmwareVersion,
  encodeRealTimeInventory,
  encodeSessionInventory,
  encodeSetFrequencyRegion,
  encodeSetOutputPower,
  encodeSetWorkAntenna,
  MAX_ANTENNA,
  type Target,
} from './commands.js';
import { createR2000Decoder } from './decoder.js';
import { BROADCAST_ADDRESS, Command } from './frame.js';
import { createSimulator } from './simulator.js';

/** Settings this driver honours beyond the common ones (all optional). */
export interface R2000Settings extends ReaderSettings {
  /** Reader address 0..255; default 0xFF, which every reader answers. */
  address?: number;
  /** Gen2 session 0..3: when set, rounds use 0x8B with `target` instead of 0x89. */
  session?: number;
  /** Inventoried flag target with `session`; default A. */
  target?: Target;
  /** Inventory rounds per poll (1..255); default 1, so a summary (liveness) comes every round. */
  roundsPerPoll?: number;
  /** Minimum time between the starts of two polls (ms); default 0 = poll again at once. */
  pollIntervalMs?: number;
}

const COMMAND_TIMEOUT_MS = 1000;
/**
 * Bounded wait for a poll's final frame. A round takes tens of ms with a few tags (the captured
 * summaries report 17–29 tags/s), so a second per round is generous, yet a hung reader shows soon.
 */
const ROUND_TIMEOUT_MS = 1000;

function address(settings: R2000Settings): number {
  const value = settings.address ?? BROADCAST_ADDRESS;
  if (!Number.isInteger(value) || value < 0 || value > 0xff) {
    throw new RangeError(`R2000 address ${value} is not an integer in 0..255`);
  }
  return value;
}

function checkedAntennas(settings: R2000Settings): number[] | undefined {
  const { antennas } = settings;
  if (antennas === undefined) return undefined;
  if (antennas.length === 0)
    throw new RangeError('R2000 antennas is empty; leave it out for the default port 1');
  for (const antenna of antennas) {
    if (!Number.isInteger(antenna) || antenna < 1 || antenna > MAX_ANTENNA) {
      throw new RangeError(`R2000 antenna ${antenna} is not a port in 1..${MAX_ANTENNA}`);
    }
  }
  // Several antennas are polled with the four-port fast switch (0x8A), which names ports 1..4 only.
  if (antennas.length > 1) {
    const high = antennas.find((antenna) => antenna > 4);
    if (high !== undefined) {
      throw new RangeError(
        `R2000 antenna ${high} cannot be one of several antennas: fast switching covers 1..4`,
      );
    }
    if (antennas.length > 4)
      throw new RangeError(`R2000 fast switching takes at most 4 antennas, not ${antennas.length}`);
  }
  return antennas;
}

function answersCommand(command: number): (message: ReaderMessage) => boolean {
  return (message) => message.kind === 'response' && message.opcode === command;
}

function setter(name: string, bytes: Uint8Array): CommandStep {
  return { name, bytes, isAnswer: answersCommand(bytes[3] as number), timeoutMs: COMMAND_TIMEOUT_MS };
}

/**
 * Version, then the settings given: `region` (FCC, ETSI or CHN; unset = the reader's saved region,
 * since only the installer knows the legal one), `readPowerDbm` (whole dBm 0..33), and with a single
 * antenna the work antenna. The reader keeps nothing running between commands, so there is nothing
 * to stop first and nothing to stop at shutdown.
 */
function startup(settings: R2000Settings): CommandStep[] {
  const at = address(settings);
  const antennas = checkedAntennas(settings);
  pollStep(settings); // settings the polls need are checked at start-up, not at the first poll
  const steps: CommandStep[] = [
    {
      name: 'firmware version',
      bytes: encodeGetFirmwareVersion(at),
      isAnswer: answersCommand(Command.getFirmwareVersion),
      timeoutMs: COMMAND_TIMEOUT_MS,
    },
  ];
  if (settings.region !== undefined) {
    steps.push(setter('set frequency region', encodeSetFrequencyRegion(settings.region, {}, at)));
  }
  if (settings.readPowerDbm !== undefined) {
    steps.push(setter('set output power', encodeSetOutputPower(settings.readPowerDbm, at)));
  }
  const single = antennas?.length === 1 ? antennas[0] : undefined;
  if (single !== undefined) steps.push(setter('set work antenna', encodeSetWorkAntenna(single, at)));
  return steps;
}

function pollStep(settings: R2000Settings): CommandStep {
  const at = address(settings);
  const repeat = settings.roundsPerPoll ?? 1;
  const antennas = checkedAntennas(settings);
  if (antennas !== undefined && antennas.length > 1) {
    return {
      name: 'fast-switch inventory',
      bytes: encodeFastSwitchInventory(
        antennas.map((antenna) => ({ antenna })),
        { repeat },
        at,
      ),
      // A missing antenna (`AntID 22`) is reported mid-command; the switching goes on to the next one.
      isAnswer: (message) =>
        message.kind === 'response' &&
        message.opcode === Command.fastSwitchInventory &&
        message.data.length !== 2,
      timeoutMs: ROUND_TIMEOUT_MS * repeat * antennas.length,
    };
  }
  if (settings.session !== undefined) {
    return {
      name: 'session inventory',
      bytes: encodeSessionInventory(settings.session, settings.target ?? 'A', repeat, at),
      isAnswer: answersCommand(Command.sessionInventory),
      timeoutMs: ROUND_TIMEOUT_MS * repeat,
    };
  }
  if (settings.target !== undefined) throw new RangeError('R2000 target needs a session (0..3)');
  return {
    name: 'real-time inventory',
    bytes: encodeRealTimeInventory(repeat, at),
    isAnswer: answersCommand(Command.realTimeInventory),
    timeoutMs: ROUND_TIMEOUT_MS * repeat,
  };
}

/**
 * One poll: an inventory command whose final answer is the round's summary or an error frame (both
 * `response` messages with the inventory's opcode; tag frames are reads, never responses). The
 * reader runs the rounds asked for and falls silent, so the host sends the next poll after each final
 * answer, or after `timeoutMs` without one (counted as a missed answer).
 */
export function pollPlan(settings: R2000Settings): PollPlan {
  const everyMs = settings.pollIntervalMs ?? 0;
  if (!Number.isInteger(everyMs) || everyMs < 0 || everyMs > 60_000) {
    throw new RangeError(`R2000 pollIntervalMs ${everyMs} is not an integer in 0..60000`);
  }
  // Tags stream as they are read and an empty round takes tens of ms, so even a cycle over four
  // antennas without a tag is silent for well under a round's wait before its summary comes.
  const silentAtMostMs = ROUND_TIMEOUT_MS * (settings.roundsPerPoll ?? 1);
  return { step: pollStep(settings), everyMs, silentAtMostMs };
}

export const r2000Driver: Driver = {
  name: 'r2000',
  kind: 'reader',
  defaultBaudRate: 115200,
  // Polled: each round ends with a summary frame, so the poll plan's pause and wait bound a healthy
  // reader's silence (the pipeline's liveness derives its threshold from them).
  createDecoder: (output) => createR2000Decoder(output),
  startup,
  shutdown: () => [],
  createSimulator: () => createSimulator(),
  pollPlan: (settings) => pollPlan(settings),
};
