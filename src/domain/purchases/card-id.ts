/**
 * ISO/IEC 14443-3: a single-size (4-byte) UID whose first byte is 0x08 is a random ID, drawn anew
 * at each activation. Phones emulating a card and many bank cards show one: it cannot be a
 * customer's card, and saying so beats "card not recognised" for the customer holding their phone.
 */
export function isRandomCardId(card: string): boolean {
  return /^08[0-9A-Fa-f]{6}$/.test(card);
}
