import { ACK_FRAME, Command, encodeCommand } from './frame.js';

/**
 * The HSU sleeps after power-up (LowVbat) and wakes on a long preamble: 0x55 then zeros, long
 * enough for the oscillator to start before the first frame's own 00 00 FF (UM0701-02,
 * HSU wake-up). nfcpy sends zeros, the Seeed/Elechouse library `55 55 00 00 00`; public sketches
 * send `55 55` and 14 zeros before SAMConfiguration, which is what this is.
 */
export const WAKE_UP_PREAMBLE: Readonly<Uint8Array> = Uint8Array.from([
  0x55,
  0x55,
  ...new Array<number>(14).fill(0),
]);

/** A command frame behind the wake-up preamble, as one write. */
export function withWakeUp(frame: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(WAKE_UP_PREAMBLE.length + frame.length);
  bytes.set(WAKE_UP_PREAMBLE);
  bytes.set(frame, WAKE_UP_PREAMBLE.length);
  return bytes;
}

/** 0x02: answered by IC, Ver, Rev, Support (PN532: IC 0x32). */
export function encodeGetFirmwareVersion(): Uint8Array {
  return encodeCommand(Command.getFirmwareVersion);
}

export interface SamConfigurationOptions {
  /** Virtual-card timeout in 50 ms units (0 = none); only the virtual-card mode uses it. */
  timeout?: number;
  /** Whether the chip drives its P70_IRQ pin; unused over HSU. */
  useIrq?: boolean;
}

function checkByte(name: string, value: number, min = 0, max = 0xff): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} ${value} is not an integer in ${min}..${max}`);
  }
}

/**
 * 0x14 SAMConfiguration, mode 1 (normal: no secure access module). It also takes the chip out of
 * LowVbat, so it is the first command after the wake-up. Defaults give nfcpy's `D4 14 01 00 00`.
 */
export function encodeSamConfiguration(options: SamConfigurationOptions = {}): Uint8Array {
  const timeout = options.timeout ?? 0;
  checkByte('SAM timeout', timeout);
  return encodeCommand(Command.samConfiguration, [0x01, timeout, options.useIrq ? 0x01 : 0x00]);
}

/** RFConfiguration item 5 (MaxRetries): MxRtyATR, MxRtyPSL, MxRtyPassiveActivation. */
const CFG_MAX_RETRIES = 0x05;
/** RFConfiguration item 1 (RF field): bit 1 AutoRFCA, bit 0 RF on. */
const CFG_RF_FIELD = 0x01;
/** Power-up values of the two other retry counts (UM0701-02), written back unchanged. */
const MX_RTY_ATR = 0xff;
const MX_RTY_PSL = 0x01;
/** 0xFF means "retry for ever", which the chip does if nobody sets a count. */
export const MAX_PASSIVE_RETRIES = 0xfe;

/**
 * 0x32 RFConfiguration MaxRetries. At power-up MxRtyPassiveActivation is 0xFF, and an
 * InListPassiveTarget without a card then never answers; a finite count makes it answer NbTg = 0.
 */
export function encodeSetPassiveActivationRetries(retries: number): Uint8Array {
  checkByte('passive activation retries', retries, 0, MAX_PASSIVE_RETRIES);
  return encodeCommand(Command.rfConfiguration, [CFG_MAX_RETRIES, MX_RTY_ATR, MX_RTY_PSL, retries]);
}

/** 0x32 RFConfiguration RF field off (AutoRFCA off too): what a stopped reader should leave. */
export function encodeRfFieldOff(): Uint8Array {
  return encodeCommand(Command.rfConfiguration, [CFG_RF_FIELD, 0x00]);
}

/** BrTy of InListPassiveTarget: 0x00 = 106 kbps type A (ISO 14443A / MIFARE). */
export const BAUD_106_TYPE_A = 0x00;

/**
 * 0x4A InListPassiveTarget for 106 kbps type A cards: MaxTg (1 or 2, the chip handles no more),
 * BrTy 0x00, no initiator data. `encodeInListPassiveTarget()` is `00 00 FF 04 FC D4 4A 01 00 E1 00`.
 */
export function encodeInListPassiveTarget(maxTargets = 1): Uint8Array {
  checkByte('InListPassiveTarget MaxTg', maxTargets, 1, 2);
  return encodeCommand(Command.inListPassiveTarget, [maxTargets, BAUD_106_TYPE_A]);
}

/**
 * An ACK from the host aborts the command the chip is working on (UM0701-02, ACK frame): sent
 * after an answer did not come in time, before the next command.
 */
export function encodeAbort(): Uint8Array {
  return ACK_FRAME.slice();
}
