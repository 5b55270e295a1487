/**
 * What stands in for a value that must not be shown: a password or token in a log, a customer's
 * reference or card in the journal's event lines, personal data in an audit row, credentials in
 * `config/get`. One marker, so that a search for it finds every place something was withheld.
 */
export const REDACTED = '[redacted]';

/**
 * The fields of an event that hold a card id: `card`, and the `tag` a card reader read (a card
 * reader's "tag" is a customer's card). Every place that hides cards asks here.
 */
export function cardFields(
  event: { readonly type: string },
  cardReaders: ReadonlySet<string>,
): Array<'card' | 'tag'> {
  const fields: Array<'card' | 'tag'> = [];
  if ('card' in event && event.card !== undefined) fields.push('card');
  if ('reader' in event && 'tag' in event && cardReaders.has(String(event.reader))) fields.push('tag');
  return fields;
}
