// No imports: the console's browser bundle formats money with this table too.

/**
 * ISO 4217 minor-unit exponents of the current currency codes (the standard's list one, 2024/2025
 * amendments: ZWG, XCG and SLE in, HRK, ZWL, SLL and ANG out). Fund codes (BOV, CHE, CHW, CLF, COU,
 * MXV, USN, UYI, UYW) are included because they are priced in; precious metals, SDR and testing codes
 * (XAU, XDR, XTS, XXX, …) are not, since nothing is sold in them. Only codes listed here are accepted:
 * a price is meaningless without knowing how many minor units make a major one.
 */
const EXPONENT_0 = 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF';
const EXPONENT_3 = 'BHD IQD JOD KWD LYD OMR TND';
const EXPONENT_4 = 'CLF UYW';
const EXPONENT_2 =
  'AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF ' +
  'CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ ' +
  'GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD ' +
  'MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON ' +
  'RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS ' +
  'UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG';

export const CURRENCY_EXPONENTS: ReadonlyMap<string, number> = new Map(
  (
    [
      [EXPONENT_0, 0],
      [EXPONENT_2, 2],
      [EXPONENT_3, 3],
      [EXPONENT_4, 4],
    ] as const
  ).flatMap(([codes, exponent]) => codes.split(' ').map((code) => [code, exponent] as const)),
);

/** The number of minor-unit digits of an ISO 4217 code, or undefined when the code is not in the table. */
export function currencyExponent(code: string): number | undefined {
  return CURRENCY_EXPONENTS.get(code);
}
