/**
 * Frames from public sources, each checked by hand against the layout of protocols.md §4.2/§4.3
 * (LEN = bytes after itself, CRC-16/MCRF4XX over LEN..DATA, low byte first; CRCs recomputed).
 * [CF] = wabson/chafon-rfid, tests/test_uhfreader18.py, tests/test_uhfreader288.py, tests/test_base.py.
 */

export function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  return Uint8Array.from(clean.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
}

/**
 * [CF] tests/test_uhfreader18.py RESP_TAGS_1:
 * 13 LEN=19 (20 bytes) | 00 ADR | 01 reCMD inventory | 03 status "more frames" |
 * 01 Num | 0C EPCLen=12 | 000000000000000000000313 EPC | CRC 0x393F sent 3F 39.
 */
export const R18_TAGS_1 = hex('13 00 01 03 01 0c 000000000000000000000313 3f 39');
/** [CF] test_uhfreader18.py RESP_TAGS_3: as above, EPC 49440000000000000A000334, CRC 0xFBA5. */
export const R18_TAGS_3 = hex('13 00 01 03 01 0c 49440000000000000a000334 a5 fb');
/**
 * [CF] test_uhfreader18.py RESP_MULTIPLE_TAGS: 20 LEN=32 | 00 | 01 | 03 | 02 Num |
 * 0C + EPC …0313 | 0C + EPC …0314 | CRC 0xC99A sent 9A C9.
 */
export const R18_TWO_TAGS = hex(
  '20 00 01 03 02 0c 000000000000000000000313 0c 000000000000000000000314 9a c9',
);

/**
 * [CF] test_uhfreader288.py RESP_TAGS_1: 15 LEN=21 | 00 | 01 | 03 | 01 Ant mask (antenna 1) |
 * 01 Num | 0C EPCLen | EPC …0313 | 6B RSSI | CRC 0xA5B1 sent B1 A5.
 */
export const R288_TAGS_1 = hex('15 00 01 03 01 01 0c 000000000000000000000313 6b b1 a5');
/** [CF] test_uhfreader288.py RESP_TAGS_2: ant 1, EPC 3039606303C74380001A0559 (SGTIN-96), RSSI 0x40. */
export const R288_TAGS_2 = hex('15 00 01 03 01 01 0c 3039606303c74380001a0559 40 f9 3e');
/** [CF] test_uhfreader288.py RESP_TAGS_3: Ant mask 04 → antenna 3, EPC 49440000000000000A000334, RSSI 0x64. */
export const R288_TAGS_3 = hex('15 00 01 03 04 01 0c 49440000000000000a000334 64 25 c0');
/** [CF] test_uhfreader288.py RESP_TAGS_4: 0D LEN=13 | ant 1 | Num 1 | 04 EPCLen | 00323038 | 6D RSSI. */
export const R288_TAGS_4 = hex('0d 00 01 03 01 01 04 00323038 6d a3 d2');
/** [CF] test_uhfreader288.py RESP_NO_TAGS: 07 LEN=7 | 00 | 01 | 01 status done | 01 ant | 00 Num | 1E 4B. */
export const R288_NO_TAGS = hex('07 00 01 01 01 00 1e 4b');
/** [CF] test_uhfreader288.py RESP_MULTIPLE_TAGS: ant 1, 2 tags …0313 (RSSI 6B), …0314 (RSSI 6C). */
export const R288_TWO_TAGS = hex(
  '23 00 01 03 01 02 0c 000000000000000000000313 6b 0c 000000000000000000000314 6c 70 f2',
);

/**
 * [CF] tests/test_base.py RESP_READER_INFO: 11 LEN=17 | 00 | 21 reCMD | 00 ok | 00 16 version 0.22 |
 * 0C type UHFReader288M | 03 protocols 6B+6C | 4E MaxFre (band bits 01, channel 14) |
 * 00 MinFre (band bits 00, channel 0) → band 0b0100 EU, 865.1-867.9 MHz | 1E power 30 dBm |
 * 0A scan time 1 s | 01 00 00 00 (further bytes of this firmware) | CRC 0x51E6 sent E6 51.
 */
export const READER_INFO = hex('11 00 21 00 00 16 0c 03 4e 00 1e 0a 01 00 00 00 e6 51');
/** [CF] test_base.py RESP_TAGS_BAD_CHECKSUM: R288_TAGS_1 with its last CRC byte A6 instead of A5. */
export const BAD_CHECKSUM = hex('15 00 01 03 01 01 0c 000000000000000000000313 6b b1 a6');

/**
 * Host commands, CONSTRUCTED in protocols.md §4.4 and rechecked: LEN 04 | ADR | CMD | CRC L H.
 * Inventory to broadcast: CRC over 04 FF 01 = 0xB41B → 1B B4.
 */
export const INVENTORY = hex('04 ff 01 1b b4');
/** Inventory to address 0: CRC over 04 00 01 = 0x4BDB → DB 4B. */
export const INVENTORY_ADDRESS_0 = hex('04 00 01 db 4b');
/** Reader information: CRC over 04 FF 21 = 0x9519 → 19 95. */
export const GET_READER_INFO = hex('04 ff 21 19 95');
