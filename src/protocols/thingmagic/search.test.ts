import { describe, expect, it } from 'vitest';
import { recorder, toHex } from '../../../test/kits/protocols/thingmagic.js';
import type { ReaderMessage, TagSearchPlan } from '../../shared/decoding.js';
import { encodeClearTagBuffer, encodeReadSelectedEpc } from './commands.js';
import { thingmagicCrc } from './crc.js';
import { createThingMagicDecoder } from './decoder.js';
import * as fx from './fixtures.js';
import { thingmagicDriver } from './index.js';
import { createSimulator } from './simulator.js';

/** EPC of the REAL tag record T4 (protocols.md §1.8). */
const EPC = Uint8Array.from([0xe2, 0x00, 0x10, 0x26, 0x76, 0x0e, 0x01, 0x79, 0x15, 0x90, 0x71, 0x25]);
const OTHER = Uint8Array.from([0x30, 0x34, 0x25, 0x7b, 0xf7, 0x19, 0x4e, 0x40, 0x00, 0x00, 0x1a, 0x85]);

/** A command frame from its LEN..DATA bytes, with the CRC of the project's own `crc.ts`. */
function framed(body: number[]): string {
  const crc = thingmagicCrc(Uint8Array.from(body), 0, body.length);
  return toHex(Uint8Array.from([0xff, ...body, crc >> 8, crc & 0xff]));
}

describe('select-filtered Read Tag Multiple (0x22), by hand against MercuryAPI serial_reader_l3.c', () => {
  it('lays out a select on a 96-bit EPC as TMR_SR_msgSetupReadTagMultipleWithMetadata + filterbytes do', () => {
    const expected = framed([
      0x18, // LEN: 24 data bytes (`msg[1] = i - 3` in TMR_SR_cmdReadTagMultiple)
      0x22, // TMR_SR_OPCODE_READ_TAG_ID_MULTIPLE
      // option byte: TMR_SR_GEN2_SINGULATION_OPTION_SELECT_ON_EPC (0x01, `*option |= 1` for a
      // TMR_FILTER_TYPE_TAG_DATA filter) | ..._FLAG_METADATA (0x10, set for isM6eVariant)
      0x11,
      0x00,
      0x13, // search flags: TMR_SR_SEARCH_FLAG_CONFIGURED_LIST (3) | LARGE_TAG_POPULATION_SUPPORT (16), as TMR_SR_read_internal passes
      0x01,
      0x2c, // timeout u16: 300 ms
      0x01,
      0xff, // metadata flags u16 (SETU16 metadataFlag, isM6eVariant)
      0x00,
      0x00,
      0x00,
      0x00, // access password u32 (filterbytes with usePassword: SETU32 accessPassword = 0)
      0x60, // mask length in bits u8: epcByteCount * 8 = 96 (≤ 255: no EXTENDED_DATA_LENGTH)
      ...[0xe2, 0x00, 0x10, 0x26, 0x76, 0x0e, 0x01, 0x79, 0x15, 0x90, 0x71, 0x25], // the EPC, byte by byte
    ]);
    expect(toHex(encodeReadSelectedEpc(EPC, { timeoutMs: 300 }))).toBe(expected);
  });

  it('takes the two-byte mask length and the extended-length option above 255 bits', () => {
    const long = new Uint8Array(62).fill(0xab); // 496 bits, the longest Gen2 EPC
    const expected = framed([
      0x4b, // LEN: 13 + 62
      0x22,
      0x31, // SELECT_ON_EPC | FLAG_METADATA | TMR_SR_GEN2_SINGULATION_OPTION_EXTENDED_DATA_LENGTH (0x20)
      0x00,
      0x13,
      0x00,
      0xc8, // 200 ms
      0x01,
      0xff,
      0x00,
      0x00,
      0x00,
      0x00,
      0x01,
      0xf0, // 496 bits, high byte first (`SETU8(bitCount >> 8)` then `SETU8(bitCount & 0xFF)`)
      ...long,
    ]);
    expect(toHex(encodeReadSelectedEpc(long, { timeoutMs: 200 }))).toBe(expected);
  });

  it('refuses what a Gen2 select on an EPC cannot carry', () => {
    expect(() => encodeReadSelectedEpc(Uint8Array.of(0x01), { timeoutMs: 300 })).toThrow(/whole words/);
    expect(() => encodeReadSelectedEpc(new Uint8Array(64), { timeoutMs: 300 })).toThrow(/whole words/);
    expect(() => encodeReadSelectedEpc(EPC, { timeoutMs: 0 })).toThrow(/timeout/);
    expect(() => encodeReadSelectedEpc(EPC, { timeoutMs: 70_000 })).toThrow(/timeout/);
  });

  it('clears the tag buffer with the REAL frame', () => {
    expect(toHex(encodeClearTagBuffer())).toBe(toHex(fx.CMD_CLEAR_TAG_BUFFER));
  });
});

function decodeAll(...frames: Uint8Array[]): ReaderMessage[] {
  const out = recorder();
  const decoder = createThingMagicDecoder(out);
  for (const frame of frames) decoder.push(frame);
  return out.messages;
}

describe('the answer to a search read', () => {
  const plan = (): TagSearchPlan =>
    (thingmagicDriver.search as NonNullable<typeof thingmagicDriver.search>)([EPC], {});

  it('decodes "no tags found" after a stop as the answer, not a heartbeat, and reads it as not found', () => {
    const messages = decodeAll(fx.RSP_STOP_READING, fx.RSP_KEEPALIVE);
    const answer = messages.at(-1) as ReaderMessage;
    expect(answer).toMatchObject({ kind: 'response', opcode: 0x22, status: 0x0400 });
    const search = plan();
    expect(search.reads[0]?.isAnswer?.(answer)).toBe(true);
    expect(search.verdict(answer)).toEqual({ found: false });
  });

  it('reads the REAL count answer as found', () => {
    const [answer] = decodeAll(fx.RSP_READ_TAG_MULTIPLE) as [ReaderMessage];
    expect(answer).toMatchObject({ kind: 'response', opcode: 0x22, status: 0 });
    expect(plan().verdict(answer)).toEqual({ found: true });
  });

  it('still takes a heartbeat in a stream for reader health, not an answer', () => {
    const messages = decodeAll(fx.RSP_START_READING, fx.RSP_KEEPALIVE);
    expect(messages.at(-1)).toMatchObject({ kind: 'status', code: 'keepalive' });
  });

  it('takes any other status as a refusal', () => {
    const refused = plan().verdict({
      kind: 'response',
      opcode: 0x22,
      status: 0x0504,
      data: new Uint8Array(),
    });
    expect(refused).toEqual({ refused: 'refused with status 0x0504' });
  });

  it("plans stop, clear, reads, then the start-up's own start; a search power and back around them", () => {
    const search = thingmagicDriver.search?.([EPC, OTHER], { readPowerDbm: 20, searchPowerDbm: 27 });
    const names = (steps: { name: string }[] | undefined) => steps?.map((step) => step.name);
    expect(names(search?.pause)).toEqual(['stop reading', 'clear tag buffer', 'set search power']);
    expect(names(search?.reads)).toEqual(['read tag 1 of 2', 'read tag 2 of 2']);
    expect(names(search?.resume)).toEqual(['set read power', 'start reading']);
    expect(toHex(search?.pause[2]?.bytes ?? [])).toBe(toHex(fx.CMD_SET_POWER_27_00));
    expect(toHex(search?.resume[0]?.bytes ?? [])).toBe(toHex(fx.CMD_SET_POWER_20_00));
    expect(toHex(search?.resume[1]?.bytes ?? [])).toBe(
      toHex(thingmagicDriver.startup({}).at(-1)?.bytes ?? []),
    );
    expect(() => thingmagicDriver.search?.([EPC], { searchPowerDbm: 27 })).toThrow(/readPowerDbm/);
  });
});

describe('the simulator answers a select-filtered read from its field', () => {
  const read = (epc: Uint8Array) => encodeReadSelectedEpc(epc, { timeoutMs: 300 });

  it('finds a tag in its field and not one outside it', () => {
    const sim = createSimulator();
    sim.setField?.([{ tag: EPC }]);
    const [found] = sim.answer(read(EPC));
    expect(toHex(found ?? [])).toBe(
      framed([0x07, 0x22, 0x00, 0x00, 0x11, 0x00, 0x13, 0x00, 0x00, 0x00, 0x01]),
    );
    expect(toHex(sim.answer(read(OTHER))[0] ?? [])).toBe(toHex(fx.RSP_KEEPALIVE));
  });

  it('misses a tag as often as its probability says, repeatably from its seed', () => {
    const draws = (seed: number) => {
      const sim = createSimulator({ seed });
      sim.setField?.([{ tag: EPC, findProbability: 0.5 }]);
      return Array.from(
        { length: 200 },
        () => toHex(sim.answer(read(EPC))[0] ?? []) !== toHex(fx.RSP_KEEPALIVE),
      );
    };
    const found = draws(7).filter(Boolean).length;
    expect(found).toBeGreaterThan(60);
    expect(found).toBeLessThan(140);
    expect(draws(7)).toEqual(draws(7));
    const never = createSimulator();
    never.setField?.([{ tag: EPC, findProbability: 0 }]);
    expect(toHex(never.answer(read(EPC))[0] ?? [])).toBe(toHex(fx.RSP_KEEPALIVE));
  });

  it('stops streaming on stop, answers the clear and the reads, and streams again on start', () => {
    const sim = createSimulator();
    sim.setField?.([{ tag: EPC }]);
    sim.answer(fx.CMD_START_READING);
    expect(sim.heartbeatFrame?.()).toBeDefined();
    sim.answer(fx.CMD_STOP_READING);
    expect(sim.heartbeatFrame?.()).toBeUndefined();
    expect(sim.tagFrame(EPC, 1, -50)).toBeUndefined();
    expect(toHex(sim.answer(fx.CMD_CLEAR_TAG_BUFFER)[0] ?? [])).toBe(toHex(fx.RSP_CLEAR_TAG_BUFFER));
    sim.answer(fx.CMD_START_READING);
    expect(sim.tagFrame(EPC, 1, -50)).toBeDefined();
  });
});
