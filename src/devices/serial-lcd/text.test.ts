import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isLcdText, toLcdText } from './text.js';

describe('isLcdText', () => {
  it('accepts printable ASCII only', () => {
    expect(isLcdText('')).toBe(true);
    expect(isLcdText(' Hello, World! 0-9 {|} ~')).toBe(true);
    for (const text of ['Café', 'tab\there', 'line\n', '\x7f', '\x1f', '€', '謝']) {
      expect(isLcdText(text)).toBe(false);
    }
  });
});

/** Any code point, lone surrogates included (fast-check's own 'binary' unit is slow to start). */
const codePoint = fc.integer({ min: 0, max: 0x10ffff }).map((code) => String.fromCodePoint(code));

describe('toLcdText', () => {
  it('leaves printable ASCII as it is', () => {
    expect(toLcdText('Total: 12.30 EUR [ok] ~\\|')).toBe('Total: 12.30 EUR [ok] ~\\|');
  });

  it('drops accents, composed or not', () => {
    expect(toLcdText('Café Müller À Ñ ç Å')).toBe('Cafe Muller A N c A');
    expect(toLcdText('Cafe\u0301')).toBe('Cafe');
  });

  it('spells out letters that do not decompose', () => {
    expect(toLcdText('Straße Øre Łódź Æbleskive œuvre')).toBe('Strasse Ore Lodz AEbleskive oeuvre');
  });

  it('maps typography to its ASCII look', () => {
    expect(toLcdText('‘single’ “double” „low“ «guillemets»')).toBe(`'single' "double" "low" <<guillemets>>`);
    expect(toLcdText('a – b — c − d')).toBe('a - b - c - d');
    expect(toLcdText('Wait…')).toBe('Wait...');
    expect(toLcdText('• item · 2×3 ½ ™ © ®')).toBe('* item . 2x3 1/2 TM (c) (R)');
    expect(toLcdText('ﬁne')).toBe('fine');
  });

  it('turns every kind of space into one plain space', () => {
    expect(toLcdText('4,50\u00a0€')).toBe('4,50 EUR');
    expect(toLcdText('a\u202fb\u2009c\u3000d')).toBe('a b c d');
    expect(toLcdText('tab\there\nnext\r\nline')).toBe('tab here next line');
  });

  it('writes currency signs as their codes', () => {
    expect(toLcdText('€4.50 £3 ¥450 ￥450 ₩900 ₹20 99¢ $1')).toBe(
      'EUR4.50 GBP3 JPY450 JPY450 KRW900 INR20 99c $1',
    );
  });

  it('narrows fullwidth forms and maps CJK punctuation', () => {
    expect(toLcdText('ＡＢＣ１２３！')).toBe('ABC123!');
    expect(toLcdText('好，「是」。')).toBe('?,"?".');
  });

  it('drops invisible characters', () => {
    expect(toLcdText('co\u00adop a\u200bb \ufeffc \u0007bell')).toBe('coop ab c bell');
  });

  it('gives one ? per character it cannot spell, counting graphemes', () => {
    expect(toLcdText('謝謝光臨')).toBe('????');
    expect(toLcdText('안녕')).toBe('??');
    expect(toLcdText('カード')).toBe('???');
    expect(toLcdText('Привет')).toBe('??????');
    expect(toLcdText('👍🏽 ok 👨‍👩‍👧 🇹🇼')).toBe('? ok ? ?');
    expect(toLcdText('4°C')).toBe('4?C');
  });

  it('always gives printable ASCII, and printable ASCII unchanged', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: codePoint }), fc.string({ unit: 'grapheme' })), (text) => {
        const out = toLcdText(text);
        expect(isLcdText(out)).toBe(true);
        if (isLcdText(text)) expect(out).toBe(text);
      }),
    );
  });
});
