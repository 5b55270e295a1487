/**
 * Text for an HD44780 character display. Its ROM has ASCII (and, in the A00 variant, katakana) but
 * no Chinese, no accented Latin and no typographic punctuation, and the backpacks read bytes above
 * 0x7F as commands or ROM glyphs. So the driver sends printable ASCII only. `toLcdText` is the last
 * resort for text that is not: the display layer should have picked an ASCII template already.
 *
 * Note that A00 ROMs draw 0x5C `\` as a yen sign and 0x7E `~` as an arrow; both are still ASCII and
 * pass through, since A02 ROMs draw them as written.
 */

/** Printable ASCII, 0x20..0x7E: the only bytes that reach the device as text. */
export function isLcdText(text: string): boolean {
  return /^[\x20-\x7e]*$/.test(text);
}

/**
 * Characters that NFKD leaves alone but that have an obvious ASCII reading. Currency signs become
 * their ISO 4217 code, since a lone `E` or `L` for € or £ would read as a letter; ¥ becomes JPY
 * (the yuan shares the sign: a CNY price should be written with its code by the template).
 */
const FALLBACKS: ReadonlyMap<string, string> = new Map([
  // Quotes, primes and guillemets.
  ['\u2018', "'"],
  ['\u2019', "'"],
  ['\u201a', "'"],
  ['\u201b', "'"],
  ['\u2032', "'"],
  ['\u201c', '"'],
  ['\u201d', '"'],
  ['\u201e', '"'],
  ['\u201f', '"'],
  ['\u00ab', '<<'],
  ['\u00bb', '>>'],
  ['\u2039', '<'],
  ['\u203a', '>'],
  ['\u300c', '"'],
  ['\u300d', '"'],
  ['\u300e', '"'],
  ['\u300f', '"'],
  // Dashes, minus, hyphens (U+2011 non-breaking hyphen decomposes to U+2010).
  ['\u2010', '-'],
  ['\u2012', '-'],
  ['\u2013', '-'],
  ['\u2014', '-'],
  ['\u2015', '-'],
  ['\u2212', '-'],
  // Other punctuation and symbols.
  ['\u2022', '*'],
  ['\u00b7', '.'],
  ['\u2044', '/'],
  ['\u00d7', 'x'],
  ['\u00f7', '/'],
  ['\u00a9', '(c)'],
  ['\u00ae', '(R)'],
  ['\u3001', ','],
  ['\u3002', '.'],
  // Currency.
  ['\u20ac', 'EUR'],
  ['\u00a3', 'GBP'],
  ['\u00a5', 'JPY'],
  ['\u20a9', 'KRW'],
  ['\u20b9', 'INR'],
  ['\u00a2', 'c'],
  // Latin letters without a decomposition.
  ['\u00df', 'ss'],
  ['\u1e9e', 'SS'],
  ['\u00e6', 'ae'],
  ['\u00c6', 'AE'],
  ['\u0153', 'oe'],
  ['\u0152', 'OE'],
  ['\u00f8', 'o'],
  ['\u00d8', 'O'],
  ['\u0111', 'd'],
  ['\u0110', 'D'],
  ['\u00f0', 'd'],
  ['\u00d0', 'D'],
  ['\u0142', 'l'],
  ['\u0141', 'L'],
  ['\u00fe', 'th'],
  ['\u00de', 'Th'],
  ['\u0131', 'i'],
]);

/**
 * Made at the first text that needs it: building a segmenter loads ICU's break rules (about 1 MB of
 * the process's memory and 10 ms), which a gateway whose displays only ever show ASCII never needs.
 */
let graphemes: Intl.Segmenter | undefined;

/**
 * A readable ASCII version of `text`: NFKD with the combining marks dropped (é → e, ü → u; fullwidth
 * forms, ligatures, `…` and the Unicode spaces decompose to ASCII), the FALLBACKS above, any
 * whitespace as a space, invisible format and control characters dropped, and one `?` for each
 * character (grapheme: an emoji sequence or a Hangul syllable counts once) that is none of those.
 */
export function toLcdText(text: string): string {
  if (isLcdText(text)) return text;
  let out = '';
  graphemes ??= new Intl.Segmenter('und', { granularity: 'grapheme' });
  for (const { segment } of graphemes.segment(text)) out += graphemeText(segment);
  return out;
}

function graphemeText(grapheme: string): string {
  if (isLcdText(grapheme)) return grapheme;
  if (/^\p{White_Space}+$/u.test(grapheme)) return ' ';
  let out = '';
  for (const char of grapheme.normalize('NFKD')) {
    if (isLcdText(char)) out += char;
    else if (/^\p{White_Space}$/u.test(char)) out += ' ';
    else if (/^[\p{M}\p{Cf}\p{Cc}]$/u.test(char)) continue;
    else {
      const fallback = FALLBACKS.get(char);
      if (fallback === undefined) return '?';
      out += fallback;
    }
  }
  return out;
}

/**
 * The cells a character display holds for these lines: each line made printable, cut to the
 * columns and padded with spaces, missing rows blank (what the store console previews).
 */
export function lcdFrame(lines: readonly string[], columns: number, rows: number): string[] {
  const frame: string[] = [];
  for (let row = 0; row < rows; row++) {
    frame.push(
      toLcdText(lines[row] ?? '')
        .slice(0, columns)
        .padEnd(columns, ' '),
    );
  }
  return frame;
}
