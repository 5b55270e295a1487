import { encodeCommand, Opcode } from './frame.js';
import { DEFAULT_METADATA_FLAGS } from './tag-record.js';

/**
 * Encoders for the commands the gateway sends (protocols.md §1.4, §1.5). Every one of them is checked
 * byte for byte against a REAL frame from [TM-LOGS] in the tests.
 */

/** Region codes (MercuryAPI `tmr_region.h`). The Nano takes NA2/NA3 for North America, not NA. */
export const REGIONS: Readonly<Record<string, number>> = {
  NA: 0x01,
  EU: 0x02,
  KR: 0x03,
  IN: 0x04,
  JP: 0x05,
  PRC: 0x06,
  EU3: 0x08,
  KR2: 0x09,
  AU: 0x0b,
  NZ: 0x0c,
  NA2: 0x0d,
  NA3: 0x0e,
  OPEN: 0xff,
};

const TAG_PROTOCOL_GEN2 = 0x0005;
const ANTENNA_OPTION_SEARCH_LIST = 0x02;
const MAX_ANTENNA_PORT = 16;

/** Search flags: configured antenna list (0x0003) + tag streaming (0x0008) + large population (0x0010). */
export const DEFAULT_SEARCH_FLAGS = 0x001b;
/** Length of one read cycle inside a continuous read; the module repeats cycles until told to stop. */
export const DEFAULT_CYCLE_MS = 1000;

export function encodeVersion(): Uint8Array {
  return encodeCommand(Opcode.version);
}

/** Region by name, case-insensitive (`NA2`, `EU3`, …). */
export function encodeSetRegion(name: string): Uint8Array {
  const code = REGIONS[name.toUpperCase()];
  if (code === undefined) {
    throw new RangeError(`unknown ThingMagic region "${name}"; known: ${Object.keys(REGIONS).join(', ')}`);
  }
  return encodeCommand(Opcode.setRegion, Uint8Array.of(code));
}

/** Read power in dBm, sent as signed centi-dBm (27 dBm → 0x0A8C). */
export function encodeSetReadPower(dbm: number): Uint8Array {
  const centi = Math.round(dbm * 100);
  if (!Number.isFinite(dbm) || centi < -0x8000 || centi > 0x7fff) {
    throw new RangeError(`read power ${dbm} dBm does not fit the module's signed centi-dBm field`);
  }
  return encodeCommand(Opcode.setReadTxPower, Uint8Array.of((centi >> 8) & 0xff, centi & 0xff));
}

/** Antenna search list: each port transmits and receives on itself (TX = RX). */
export function encodeSetAntennas(ports: readonly number[]): Uint8Array {
  if (ports.length === 0) throw new RangeError('at least one antenna port is needed');
  const data = new Uint8Array(1 + 2 * ports.length);
  data[0] = ANTENNA_OPTION_SEARCH_LIST;
  ports.forEach((port, i) => {
    if (!Number.isInteger(port) || port < 1 || port > MAX_ANTENNA_PORT) {
      throw new RangeError(`antenna port ${port} is not an integer in 1..${MAX_ANTENNA_PORT}`);
    }
    data[1 + 2 * i] = port;
    data[2 + 2 * i] = port;
  });
  return encodeCommand(Opcode.setAntennaPort, data);
}

export function encodeSetProtocolGen2(): Uint8Array {
  return encodeCommand(
    Opcode.setTagProtocol,
    Uint8Array.of(TAG_PROTOCOL_GEN2 >> 8, TAG_PROTOCOL_GEN2 & 0xff),
  );
}

export interface StartReadingOptions {
  /** Metadata the module attaches to each tag record. Default 0x01FF (count … GPIO). */
  metadataFlags?: number;
  searchFlags?: number;
  cycleMs?: number;
}

/**
 * 0x2F multi-protocol tag op, option 1 (continuous), wrapping an embedded 0x22 read (protocols.md
 * §1.5). With defaults it is byte-identical to URA's and the SparkFun library's start blob.
 */
export function encodeStartReading(options: StartReadingOptions = {}): Uint8Array {
  const flags = options.metadataFlags ?? DEFAULT_METADATA_FLAGS;
  const search = options.searchFlags ?? DEFAULT_SEARCH_FLAGS;
  const cycle = options.cycleMs ?? DEFAULT_CYCLE_MS;
  const embedded = [
    Opcode.readTagMultiple,
    0x10, // singulation option: metadata flags follow
    search >> 8,
    search & 0xff,
    (cycle >> 8) & 0xff,
    cycle & 0xff,
    flags >> 8,
    flags & 0xff,
  ];
  const head = [
    0x00, // 0x2F timeout, high
    0x00, // 0x2F timeout, low: 0 = run until stopped
    0x01, // option: start continuous reading
    Opcode.readTagMultiple,
    0x00, // multi-protocol search flags, high
    0x00, // multi-protocol search flags, low
    TAG_PROTOCOL_GEN2,
    embedded.length - 1, // length of the embedded command after its opcode
  ];
  return encodeCommand(Opcode.multiProtocolTagOp, Uint8Array.from([...head, ...embedded]));
}

/** Search flags of a synchronous read: configured antenna list (0x0003) + large population (0x0010). */
export const SYNC_SEARCH_FLAGS = 0x0013;
/** MercuryAPI `TMR_SR_GEN2_SINGULATION_OPTION_*` (`serial_reader_imp.h`). */
const SELECT_ON_EPC = 0x01;
const OPTION_METADATA = 0x10;
const OPTION_EXTENDED_DATA_LENGTH = 0x20;
/** A Gen2 EPC is whole 16-bit words, at most 31 of them (the PC word's length field). */
const MAX_EPC_BYTES = 62;

export interface SelectedReadOptions {
  /** How long the module inventories before it answers (ms). */
  timeoutMs: number;
  searchFlags?: number;
  metadataFlags?: number;
}

/**
 * A synchronous 0x22 Read Tag Multiple that only the tag with exactly this EPC answers: a Gen2
 * Select on the EPC, laid out as MercuryAPI `TMR_SR_msgSetupReadTagMultipleWithMetadata` and
 * `filterbytes` lay out a `TMR_TagData` filter for an M6e-family module: option, search flags,
 * timeout, metadata flags, access password (0), mask length in bits, mask. The module answers with
 * the number of tags found, or status 0x0400 for none. "Select on EPC" (rather than a Gen2 select on
 * the EPC bank with a bit pointer) leaves where the EPC starts behind the PC word to the module.
 */
export function encodeReadSelectedEpc(epc: Uint8Array, options: SelectedReadOptions): Uint8Array {
  if (epc.length < 2 || epc.length > MAX_EPC_BYTES || epc.length % 2 !== 0) {
    throw new RangeError(`a Gen2 EPC is 2..${MAX_EPC_BYTES} bytes in whole words, not ${epc.length}`);
  }
  const timeout = options.timeoutMs;
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > 0xffff) {
    throw new RangeError(`read timeout ${timeout} ms is not an integer in 1..65535`);
  }
  const search = options.searchFlags ?? SYNC_SEARCH_FLAGS;
  const flags = options.metadataFlags ?? DEFAULT_METADATA_FLAGS;
  const bits = epc.length * 8;
  const extended = bits > 0xff;
  const head = [
    SELECT_ON_EPC | OPTION_METADATA | (extended ? OPTION_EXTENDED_DATA_LENGTH : 0),
    search >> 8,
    search & 0xff,
    timeout >> 8,
    timeout & 0xff,
    flags >> 8,
    flags & 0xff,
    0x00,
    0x00,
    0x00,
    0x00, // access password: none
    ...(extended ? [bits >> 8, bits & 0xff] : [bits]),
  ];
  const data = new Uint8Array(head.length + epc.length);
  data.set(head);
  data.set(epc, head.length);
  return encodeCommand(Opcode.readTagMultiple, data);
}

/** 0x2A: the module keeps what a synchronous read found until told to forget it (REAL `FF 00 2A 1D 25`). */
export function encodeClearTagBuffer(): Uint8Array {
  return encodeCommand(Opcode.clearTagBuffer);
}

/** 0x2F option 2: stop continuous reading (REAL `FF 03 2F 00 00 02 5E 86`). */
export function encodeStopReading(): Uint8Array {
  return encodeCommand(Opcode.multiProtocolTagOp, Uint8Array.of(0x00, 0x00, 0x02));
}
