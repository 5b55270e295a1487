import { currencyExponent } from '../../../../shared/currency-exponents.js';

/**
 * Money in minor units of an ISO 4217 currency, as the customer's language writes it. The decimals are
 * ISO 4217's, as the gateway counts its prices: Intl's own (CLDR's cash digits) say 0 for HUF, IDR, IQD
 * and a dozen more, which would show 4.50 HUF as 450.
 */
export function formatMoney(minor: number, currency: string, language: string): string {
  const exponent = currencyExponent(currency);
  let format: Intl.NumberFormat;
  try {
    format = new Intl.NumberFormat(language, {
      style: 'currency',
      currency,
      ...(exponent === undefined ? {} : { minimumFractionDigits: exponent, maximumFractionDigits: exponent }),
    });
  } catch {
    // Not a currency code at all: the amount as the gateway gave it, rather than a broken page.
    return `${minor} ${currency}`;
  }
  const digits = exponent ?? format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minor / 10 ** digits);
}

/** A time in the store's time zone (the browser's own when the gateway does not say). */
export function formatTime(iso: string, language: string, timeZone: string | undefined): string {
  const options: Intl.DateTimeFormatOptions = { dateStyle: 'short', timeStyle: 'medium' };
  if (timeZone) options.timeZone = timeZone;
  return new Intl.DateTimeFormat(language, options).format(new Date(iso));
}
