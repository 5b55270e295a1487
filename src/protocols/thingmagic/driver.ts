import type { CommandStep, Driver, ReaderMessage, ReaderSettings } from '../../shared/decoding.js';
import {
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

const COMMAND_TIMEOUT_MS = 1000;
/**
 * The module pushes the tags it still buffers (≈700 ms in [TM-LOGS]) before acknowledging a stop;
 * the SparkFun library allows 1000–2000 ms.
 */
const STOP_TIMEOUT_MS = 3000;
/** Quiet time after the stop so stray tag frames and a power-up boot message are out of the way. */
const DRAIN_MS = 250;

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
  steps.push({
    name: 'start reading',
    bytes: encodeStartReading(),
    isAnswer: answersContinuous(0x01),
    timeoutMs: COMMAND_TIMEOUT_MS,
  });
  return steps;
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
};
