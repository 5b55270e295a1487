/**
 * The version block of a 0x03 (version) or 0x04 (boot) answer (protocols.md §1.4, MercuryAPI
 * `fillVersionInfo`): bootloader[4], hardware[4], firmware date[4], firmware version[4], protocols u32.
 */

export const VERSION_BLOCK_LENGTH = 16;

/** First hardware byte → model (MercuryAPI `TMR_SR_ModelHardwareID`). */
const MODELS: ReadonlyMap<number, string> = new Map([
  [0x18, 'M6e'],
  [0x19, 'M6e-I'],
  [0x20, 'M6e Micro'],
  [0x30, 'M6e Nano'],
  [0x38, 'M7e Pico'],
  [0x80, 'M3e'],
]);

export interface VersionInfo {
  model: string;
  /** Firmware version, then its date: "01.03.01.47 (2015-03-10)". */
  firmware: string;
  hardware: string;
}

function hexBytes(data: Uint8Array, start: number, separator: string): string {
  let text = '';
  for (let i = start; i < start + 4; i++) {
    if (i > start) text += separator;
    text += (data[i] as number).toString(16).padStart(2, '0');
  }
  return text;
}

/** Undefined when the answer is too short to hold a version block. */
export function parseVersionBlock(data: Uint8Array): VersionInfo | undefined {
  if (data.length < VERSION_BLOCK_LENGTH) return undefined;
  const modelByte = data[4] as number;
  // The date is BCD, so its hex digits read as decimal: 20 15 03 10 = 2015-03-10.
  const date = hexBytes(data, 8, '');
  return {
    model: MODELS.get(modelByte) ?? `unknown (0x${modelByte.toString(16).padStart(2, '0')})`,
    firmware: `${hexBytes(data, 12, '.')} (${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)})`,
    hardware: hexBytes(data, 4, '.'),
  };
}
