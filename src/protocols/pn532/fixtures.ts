/**
 * PN532 HSU frames from public sources, each checked by hand against the layout of frame.ts
 * (LEN + LCS ≡ 0, TFI + PD + DCS ≡ 0, postamble 00) before it became a test expectation.
 */
const hex = (text: string): Uint8Array =>
  Uint8Array.from(
    text
      .split(/\s+/)
      .filter(Boolean)
      .map((byte) => Number.parseInt(byte, 16)),
  );

/**
 * GetFirmwareVersion command. Source: nfcpy/nfcpy `src/nfc/clf/pn532.py` (protocols.md §5.4) and
 * Pontiac76/Ultimate_NFC_Curator `WSL_Reader_Info.md` ("Get firmware frame").
 *   00 00 FF | LEN 02 | LCS FE (02+FE=100) | D4 02 | DCS 2A (D4+02+2A=100) | 00
 */
export const GET_FIRMWARE_VERSION = hex('00 00 FF 02 FE D4 02 2A 00');

/**
 * ACK then the GetFirmwareVersion answer, captured from a DFRobot DFR0231-H over an FT232R.
 * Source: pcdkd/fastpay `test/DEBUG-REPORT.md`; the same bytes in Pontiac76/Ultimate_NFC_Curator
 * `WSL_Reader_Info.md` (CH340 adapter).
 *   ACK 00 00 FF 00 FF 00
 *   00 00 FF | LEN 06 | LCS FA (06+FA=100) | D5 03 | IC 32 (PN532) Ver 01 Rev 06 Support 07 |
 *   DCS E8 (D5+03+32+01+06+07=118, +E8=200) | 00
 */
export const FIRMWARE_ANSWER = hex('00 00 FF 00 FF 00 00 00 FF 06 FA D5 03 32 01 06 07 E8 00');

/**
 * SAMConfiguration normal mode, no timeout, no IRQ, and its answer. Source: nfcpy/nfcpy
 * `src/nfc/clf/pn532.py` (protocols.md §5.4).
 *   00 00 FF | LEN 05 | LCS FB | D4 14 | Mode 01 Timeout 00 IRQ 00 | DCS 17 (D4+14+01=E9, +17=100) | 00
 *   00 00 FF | LEN 02 | LCS FE | D5 15 | DCS 16 (D5+15=EA, +16=100) | 00
 */
export const SAM_CONFIGURATION = hex('00 00 FF 05 FB D4 14 01 00 00 17 00');
export const SAM_CONFIGURATION_ANSWER = hex('00 00 FF 02 FE D5 15 16 00');

/**
 * InListPassiveTarget, MaxTg 1, BrTy 00 (106 kbps type A). Source: Pontiac76/Ultimate_NFC_Curator
 * `WSL_Reader_Info.md` ("Poll ISO14443A card frame"), same bytes in many public sketches.
 *   00 00 FF | LEN 04 | LCS FC | D4 4A | MaxTg 01 BrTy 00 | DCS E1 (D4+4A+01=11F→1F, +E1=100) | 00
 */
export const IN_LIST_PASSIVE_TARGET = hex('00 00 FF 04 FC D4 4A 01 00 E1 00');

/**
 * ACK then a poll answer with a 7-byte UID (NTAG/Ultralight), observed on a CH340 + PN532 reader.
 * Source: Pontiac76/Ultimate_NFC_Curator `WSL_Reader_Info.md` ("Successful card response observed").
 *   ACK 00 00 FF 00 FF 00
 *   00 00 FF | LEN 0F | LCS F1 | D5 4B | NbTg 01 | Tg 01 | SENS_RES 00 44 (double-size UID) |
 *   SEL_RES 00 | NFCIDLength 07 | UID 04 41 6D 41 2B 02 89 | DCS EA | 00
 *   (D5+4B+01+01+00+44+00+07+04+41+6D+41+2B+02+89 = 0x316 → 16, +EA = 100)
 */
export const POLL_ANSWER_7_BYTE = hex(
  '00 00 FF 00 FF 00 00 00 FF 0F F1 D5 4B 01 01 00 44 00 07 04 41 6D 41 2B 02 89 EA 00',
);
export const UID_7_BYTE = hex('04 41 6D 41 2B 02 89');

/**
 * The same answer layout for a 7-byte UID, payload from nfcpy/nfcpy `tests/base_clf_pn53x.py`
 * (`test_sense_tta_target_is_tt2`: `RSP('4B 0101004400070416c6c2d73881')`), framed by hand:
 *   00 00 FF | LEN 0F | LCS F1 | D5 4B 01 01 00 44 00 07 04 16 C6 C2 D7 38 81 | DCS 61 | 00
 *   (payload sum 0x39F → 9F, +61 = 100)
 */
export const POLL_ANSWER_NFCPY = hex('00 00 FF 0F F1 D5 4B 01 01 00 44 00 07 04 16 C6 C2 D7 38 81 61 00');
export const UID_NFCPY = hex('04 16 C6 C2 D7 38 81');

/**
 * A MIFARE Classic (SAK 08) with a 4-byte UID, payload from AndreMiras/nfc-experiments `README.md`
 * (PC/SC pseudo-APDU answer `D5 4B 01 01 00 04 08 04 92 4C 52 27`), framed by hand:
 *   00 00 FF | LEN 0C | LCS F4 | D5 4B | NbTg 01 | Tg 01 | SENS_RES 00 04 | SEL_RES 08 | len 04 |
 *   UID 92 4C 52 27 | DCS 77 (payload sum 0x289 → 89, +77 = 100) | 00
 */
export const POLL_ANSWER_4_BYTE = hex('00 00 FF 0C F4 D5 4B 01 01 00 04 08 04 92 4C 52 27 77 00');
export const UID_4_BYTE = hex('92 4C 52 27');

/**
 * An ISO 14443-4 card (SAK 28) whose ATS follows the UID. The bytes appear verbatim in public code
 * comments whose repository the index could not name (protocols.md §5.4), so they count as
 * constructed here; checked by hand:
 *   ACK | 00 00 FF | LEN 1C | LCS E4 | D5 4B | NbTg 01 | Tg 01 | SENS_RES 00 04 | SEL_RES 28 |
 *   len 04 | UID FD E6 08 99 | ATS: TL 10 (16 bytes, TL included) 78 80 90 02 20 90 00 00 00 00 00
 *   FD E6 08 99 | DCS 5C | 00
 */
export const POLL_ANSWER_WITH_ATS = hex(
  '00 00 FF 00 FF 00 00 00 FF 1C E4 D5 4B 01 01 00 04 28 04 FD E6 08 99 10 78 80 90 02 20 90 00 00 00 00 00 FD E6 08 99 5C 00',
);
export const UID_WITH_ATS = hex('FD E6 08 99');

/**
 * A poll without a card: nfcpy/nfcpy `tests/base_clf_pn53x.py` `test_in_list_passive_target`
 * (`RSP('4B 00')`), framed by hand: 00 00 FF | LEN 03 | LCS FD | D5 4B 00 | DCS E0 (D5+4B=120→20, +E0=100) | 00
 */
export const POLL_ANSWER_NO_CARD = hex('00 00 FF 03 FD D5 4B 00 E0 00');

/**
 * nfcpy/nfcpy `tests/base_clf_pn53x.py` `test_command_with_standard_frame`: command 0x00 (Diagnose)
 * data `31 32 33` and its answer `34 35 36`:
 *   00 00 FF | LEN 05 | LCS FB | D4 00 31 32 33 | DCS 96 (D4+00+31+32+33 = 0x16A → 6A, +96 = 100) | 00
 *   00 00 FF | LEN 05 | LCS FB | D5 01 34 35 36 | DCS 8B (D5+01+34+35+36 = 0x175 → 75, +8B = 100) | 00
 */
export const NFCPY_COMMAND = hex('00 00 FF 05 FB D4 00 31 32 33 96 00');
export const NFCPY_ANSWER = hex('00 00 FF 05 FB D5 01 34 35 36 8B 00');

/** ACK, NACK and error frames: nfcpy/nfcpy `tests/base_clf_pn53x.py` `ACK()`, `NAK()`, `ERR()`. */
export const ACK = hex('00 00 FF 00 FF 00');
export const NACK = hex('00 00 FF FF 00 00');
export const ERROR = hex('00 00 FF 01 FF 7F 81 00');

/**
 * An extended answer to command 0x00: nfcpy/nfcpy `tests/base_clf_pn53x.py`
 * `test_command_with_extended_frame`: `0000ffffff 0105fa d501` + `343536` + 256 zero bytes + `8b00`.
 *   00 00 FF FF FF | LENM 01 LENL 05 (261 = TFI + code + 259 data) | LCS FA (01+05+FA=100) |
 *   D5 01 34 35 36 00×256 | DCS 8B (same sum as the short answer) | 00
 */
export const NFCPY_EXTENDED_ANSWER = Uint8Array.from([
  ...hex('00 00 FF FF FF 01 05 FA D5 01 34 35 36'),
  ...new Array<number>(256).fill(0),
  ...hex('8B 00'),
]);
