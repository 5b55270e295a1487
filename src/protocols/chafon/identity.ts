import { BANDS } from './commands.js';

/**
 * The reader-information answer (0x21), data: version (2), type, protocols, MaxFre, MinFre, power,
 * scan time ([CF] `base.py` `ReaderInfoFrame`; protocols.md §4.4).
 */
export interface ReaderInfo {
  firmware: string;
  typeCode: number;
  model: string;
  /** Whether the inventory answer carries an antenna mask and an RSSI per tag (protocols.md §4.3). */
  layout: InventoryLayout;
  supports6B: boolean;
  supports6C: boolean;
  /** Band name as `encodeSetFrequency` takes it, or `code N` for a band it does not know. */
  band: string;
  minChannel: number;
  maxChannel: number;
  powerDbm: number;
  scanTimeMs: number;
}

export type InventoryLayout = 'reader18' | 'reader288';

/**
 * Reader type codes ([CF] `base.py` `ReaderType`); the CF-RU5102 reports 0x08 where its manual says
 * 0x03, and the CF-MU90x 0x10 for 0x0F (https://github.com/wabson/chafon-rfid/issues/2).
 */
const MODELS: ReadonlyMap<number, { model: string; layout: InventoryLayout }> = new Map([
  [0x03, { model: 'CF-RU5102', layout: 'reader18' }],
  [0x08, { model: 'CF-RU5102', layout: 'reader18' }],
  [0x09, { model: 'UHFReader18', layout: 'reader18' }],
  [0x0c, { model: 'UHFReader288M', layout: 'reader288' }],
  [0x0f, { model: 'UHFReader86', layout: 'reader288' }],
  [0x10, { model: 'UHFReader86', layout: 'reader288' }],
  [0x16, { model: 'RRU9883M', layout: 'reader18' }],
  [0x20, { model: 'UHFReader288MP', layout: 'reader288' }],
  [0x8b, { model: 'UHFReader288ADV', layout: 'reader288' }],
]);

const BAND_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(BANDS).map(([name, band]) => [band.code, name]),
);

export const READER_INFO_LENGTH = 8;

export function parseReaderInfo(data: Uint8Array): ReaderInfo | undefined {
  if (data.length < READER_INFO_LENGTH) return undefined;
  const [major, minor, typeCode, protocols, maxFre, minFre, power, scanTime] = data as unknown as number[];
  const known = MODELS.get(typeCode as number);
  const bandCode = (((maxFre as number) >> 6) << 2) | ((minFre as number) >> 6);
  return {
    firmware: `${major}.${String(minor).padStart(2, '0')}`,
    typeCode: typeCode as number,
    model: known?.model ?? `Chafon type 0x${(typeCode as number).toString(16).padStart(2, '0')}`,
    layout: known?.layout ?? 'reader18',
    supports6B: ((protocols as number) & 0b01) !== 0,
    supports6C: ((protocols as number) & 0b10) !== 0,
    band: BAND_NAMES.get(bandCode) ?? `code ${bandCode}`,
    minChannel: (minFre as number) & 0x3f,
    maxChannel: (maxFre as number) & 0x3f,
    powerDbm: power as number,
    scanTimeMs: (scanTime as number) * 100,
  };
}
