import type {
  CommandStep,
  Driver,
  ReaderMessage,
  ReaderSettings,
  TagSearchPlan,
  TagSearchSettings,
  TagSearchVerdict,
} from '../../shared/decoding.js';
import {
  encodeClearTagBuffer,
  encodeReadSelectedEpc,
  encodeSetAntennas,
  encodeSetProtocolGen2,
  encodeSetReadPower,
  encodeSetRegion,
  encodeStartReading,
  encodeStopReading,
  encodeVersion,
} from './commands.js';
import { createThingMagicDecoder } from './decoder.js';
import { Opcode } from './frame.js';
import { createSimulator } from './simulator.js';
import { Status } from './status.js';

const COMMAND_TIMEOUT_MS = 1000;
/**
 * The module pushes the tags it still buffers (≈700 ms in [TM-LOGS]) before acknowledging a stop;
 * the SparkFun library allows 1000–2000 ms.
 */
const STOP_TIMEOUT_MS = 3000;
/** Quiet time after the stop so stray tag frames and a power-up boot message are out of the way. */
const DRAIN_MS = 250;
/**
 * How long the module looks for each searched tag. A select leaves one tag to answer, and the Nano
 * singulates 85–240 tags/s (protocols.md §1.10): 300 ms is dozens of inventory rounds.
 */
const SEARCH_READ_MS = 300;

function answersOpcode(opcode: number): (message: ReaderMessage) => boolean {
  return (message) => message.kind === 'response' && message.opcode === opcode;
}

/** The 0x2F answer whose first data byte is `option` (1 = started, 2 = stopped), or any refusal. */
function answersContinuous(option: number): (message: ReaderMessage) => boolean {
  return (message) =>
    message.kind === 'response' &&
    message.opcode === Opcode.multiProtocolTagOp &&
    (message.status !== 0 || message.data[0] === option);
}

function stopStep(optional: boolean): CommandStep {
  return {
    name: 'stop reading',
    bytes: encodeStopReading(),
    isAnswer: answersContinuous(0x02),
    timeoutMs: STOP_TIMEOUT_MS,
    optional,
    settleMs: DRAIN_MS,
  };
}

function setter(name: string, bytes: Uint8Array): CommandStep {
  const opcode = bytes[2] as number;
  return { name, bytes, isAnswer: answersOpcode(opcode), timeoutMs: COMMAND_TIMEOUT_MS };
}

function startStep(): CommandStep {
  return {
    name: 'start reading',
    bytes: encodeStartReading(),
    isAnswer: answersContinuous(0x01),
    timeoutMs: COMMAND_TIMEOUT_MS,
  };
}

/**
 * Settings honoured: `region` (by name; unset = leave the module's saved region alone, since a wrong
 * region is illegal to transmit in and only the installer knows the right one), `readPowerDbm`
 * (unset = module default), `antennas` (unset = module default).
 */
function startup(settings: ReaderSettings): CommandStep[] {
  // The module may still be streaming from before a gateway restart, and then answers nothing else.
  const steps: CommandStep[] = [stopStep(true)];
  steps.push({
    name: 'version',
    bytes: encodeVersion(),
    isAnswer: answersOpcode(Opcode.version),
    timeoutMs: COMMAND_TIMEOUT_MS,
  });
  if (settings.region !== undefined) steps.push(setter('set region', encodeSetRegion(settings.region)));
  steps.push(setter('set protocol GEN2', encodeSetProtocolGen2()));
  if (settings.readPowerDbm !== undefined) {
    steps.push(setter('set read power', encodeSetReadPower(settings.readPowerDbm)));
  }
  if (settings.antennas !== undefined)
    steps.push(setter('set antennas', encodeSetAntennas(settings.antennas)));
  steps.push(startStep());
  return steps;
}

/**
 * MercuryAPI `TMR_SR_cmdReadTagMultiple`: the count is one byte (data length 4 or 5) or four (7 or
 * 8), last in the answer. A select on the whole EPC lets only that tag answer, so a count is the
 * answer; only a longer EPC beginning with the same bits would match too.
 */
function verdict(answer: ReaderMessage): TagSearchVerdict {
  if (answer.kind !== 'response') return { refused: `unexpected ${answer.kind} message` };
  // "No tags found" is the module's answer for an absent tag, not a failure.
  if (answer.status === Status.noTagsFound) return { found: false };
  if (answer.status !== Status.ok) {
    return { refused: `refused with status 0x${answer.status.toString(16).padStart(4, '0')}` };
  }
  const { data } = answer;
  const end = data.length;
  if (end === 4 || end === 5) return { found: (data[end - 1] as number) > 0 };
  if (end === 7 || end === 8)
    return { found: new DataView(data.buffer, data.byteOffset + end - 4).getUint32(0) > 0 };
  return { refused: `answer of ${end} data bytes does not carry a tag count` };
}

/**
 * Continuous reading stopped, the module's tag buffer emptied (it keeps what synchronous reads find,
 * as MercuryAPI does before each), a select-filtered read per tag, then the start-up's own start
 * command. A search power needs the configured read power, to go back to it.
 */
function search(tags: readonly Uint8Array[], settings: TagSearchSettings): TagSearchPlan {
  const power = settings.searchPowerDbm;
  if (power !== undefined && settings.readPowerDbm === undefined) {
    throw new RangeError("a search power needs the reader's readPowerDbm setting, to set it back after");
  }
  const reads = tags.map(
    (epc, index): CommandStep => ({
      name: `read tag ${index + 1} of ${tags.length}`,
      bytes: encodeReadSelectedEpc(epc, { timeoutMs: SEARCH_READ_MS }),
      isAnswer: answersOpcode(Opcode.readTagMultiple),
      timeoutMs: SEARCH_READ_MS + COMMAND_TIMEOUT_MS,
    }),
  );
  const pause: CommandStep[] = [stopStep(false), setter('clear tag buffer', encodeClearTagBuffer())];
  const resume: CommandStep[] = [];
  if (power !== undefined && settings.readPowerDbm !== undefined) {
    pause.push(setter('set search power', encodeSetReadPower(power)));
    resume.push(setter('set read power', encodeSetReadPower(settings.readPowerDbm)));
  }
  resume.push(startStep());
  return { pause, reads, resume, verdict };
}

export const thingmagicDriver: Driver = {
  name: 'thingmagic',
  kind: 'reader',
  defaultBaudRate: 115200,
  // In continuous reading the module streams a "no tags found" heartbeat at each read cycle's start,
  // about once a second ([TM-ACT]), whatever is in the field.
  expectedTrafficMs: 1000,
  createDecoder: (output) => createThingMagicDecoder(output),
  startup,
  shutdown: () => [stopStep(false)],
  createSimulator,
  search,
};
