import { ErrorWithReasonCode, ReasonCodes } from 'mqtt';

/** Errors and reason codes as one line an operator can act on; URLs without their credentials. */

export const PASSWORD_ENV = 'RFID_GATEWAY_MQTT_PASSWORD';

/** `Not authorized (reason code 135 / 0x87)` */
export function describeReasonCode(code: number): string {
  const name = (ReasonCodes as Record<number, string | undefined>)[code] ?? 'Unknown reason';
  return `${name} (reason code ${code} / 0x${code.toString(16).padStart(2, '0')})`;
}

const TLS_TRUST_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
]);

/** One line an operator can act on, for any error MQTT.js or the socket emits. */
export function describeMqttError(error: Error): string {
  const code: unknown = (error as NodeJS.ErrnoException).code;
  if (error instanceof ErrorWithReasonCode) {
    const text = `${error.message.replace(/:.*$/, '')}: ${describeReasonCode(error.code)}`;
    const credentials = `check the username and the password (mqtt.password, mqtt.passwordFile or $${PASSWORD_ENV})`;
    if (error.code === 4 || error.code === 134) return `${text}: ${credentials}`;
    // Mosquitto answers a wrong password with "not authorised" too, not with "bad user name or password".
    if (error.code === 5 || error.code === 135)
      return `${text}: ${credentials}, and that the broker accepts this client (password_file, allow_anonymous)`;
    return text;
  }
  if (typeof code === 'string') {
    if (TLS_TRUST_CODES.has(code))
      return `TLS: the broker's certificate is not trusted (${code}): set mqtt.ca to the CA that signed it`;
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
      return `TLS: the broker's certificate does not name this host (${error.message})`;
    if (code === 'CERT_HAS_EXPIRED') return 'TLS: the broker certificate has expired';
    if (code === 'ECONNREFUSED') return `connection refused (${error.message}): is the broker running?`;
  }
  return error.message;
}

/** The URL without user name and password; a list of broker nodes, each. */
export function redactUrl(url: string): string;
export function redactUrl(url: string | readonly string[]): string | string[];
export function redactUrl(url: string | readonly string[]): string | string[] {
  if (typeof url !== 'string') return url.map((node) => redactUrl(node));
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '[unparsable url]';
  }
}
