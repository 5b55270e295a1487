import { describe, expect, it } from 'vitest';
import { formatMoney } from '../../src/integrations/http/console/web/format.js';

/** The amount's digits and decimal separator alone: Intl's symbols and spacing vary between versions. */
const digits = (text: string) => text.replace(/[^0-9.,]/g, '');

describe("the console's money", () => {
  it('counts minor units as ISO 4217 does, where Intl disagrees too', () => {
    expect(formatMoney(450, 'JPY', 'en-US')).toBe('¥450');
    expect(formatMoney(250, 'EUR', 'en-US')).toBe('€2.50');
    expect(digits(formatMoney(1500, 'KWD', 'en-US'))).toBe('1.500');
    // Intl gives HUF and IQD no decimals (CLDR), ISO 4217 two and three: 450 is 4.50 HUF, not 450.
    expect(digits(formatMoney(450, 'HUF', 'en-US'))).toBe('4.50');
    expect(digits(formatMoney(1500, 'IQD', 'en-US'))).toBe('1.500');
    for (const currency of [
      'IDR',
      'COP',
      'PKR',
      'IRR',
      'LBP',
      'AFN',
      'ALL',
      'KPW',
      'LAK',
      'MGA',
      'MMK',
      'SOS',
      'SYP',
      'YER',
    ])
      expect(digits(formatMoney(450, currency, 'en-US')), currency).toBe('4.50');
  });

  it('shows an amount in a code Intl does not know rather than failing the page', () => {
    expect(formatMoney(450, 'E', 'en-US')).toBe('450 E');
  });
});
