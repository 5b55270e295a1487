import { createRequire } from 'node:module';
import type { EpcInfo } from '../shared/events.js';

// The package replaces module.exports with its default export, which TypeScript's NodeNext view
// of its typings does not model; require() gives the object the typings describe.
interface DecodedEpc {
  getType(): string;
  toIdURI(): string;
}
const epcTds = createRequire(import.meta.url)('epc-tds') as { valueOf(hex: string): DecodedEpc };

const SCHEME_SERIAL_GETTERS = ['getSerial', 'getSerialReference', 'getIndividualAssetReference'] as const;

/**
 * Decodes a tag identifier under the EPC Tag Data Standard. Undefined when it does not decode
 * (EM4100 IDs, TID-only tags, proprietary EPCs): the envelope then carries `tag` alone.
 */
export function decodeEpc(hex: string): EpcInfo | undefined {
  // Every TDS scheme is at least 96 bits; shorter identifiers are never EPCs.
  if (hex.length < 24) return undefined;
  let epc: DecodedEpc;
  try {
    epc = epcTds.valueOf(hex);
  } catch {
    return undefined;
  }
  const info: EpcInfo = { scheme: epc.getType().toLowerCase(), uri: epc.toIdURI() };
  const record = epc as unknown as Record<string, unknown>;
  if (typeof record.getGtin === 'function') info.gtin = String((record.getGtin as () => unknown).call(epc));
  for (const getter of SCHEME_SERIAL_GETTERS) {
    const read = record[getter];
    if (typeof read === 'function') {
      info.serial = String((read as () => unknown).call(epc));
      break;
    }
  }
  return info;
}

/** Decoding is pure but not free; a store sees the same few thousand tags all day. */
export class EpcCache {
  private readonly entries = new Map<string, EpcInfo | null>();

  constructor(private readonly limit = 50_000) {}

  get(hex: string): EpcInfo | undefined {
    let info = this.entries.get(hex);
    if (info === undefined) {
      info = decodeEpc(hex) ?? null;
      if (this.entries.size >= this.limit) this.entries.clear();
      this.entries.set(hex, info);
    }
    return info ?? undefined;
  }
}
