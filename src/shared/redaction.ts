/**
 * What stands in for a value that must not be shown: a password or token in a log, a customer's
 * reference or card in the journal's event lines, personal data in an audit row, credentials in
 * `config/get`. One marker, so that a search for it finds every place something was withheld.
 */
export const REDACTED = '[redacted]';
