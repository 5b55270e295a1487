import { createRequire } from 'node:module';

/**
 * The gateway's version, as its package says: in the MQTT status, Home Assistant's device info and
 * EPCIS documents, so that none of them can lag behind a release.
 */
export const GATEWAY_VERSION: string = (
  createRequire(import.meta.url)('../../package.json') as { version: string }
).version;
