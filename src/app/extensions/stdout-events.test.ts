import { describe, expect, it } from 'vitest';
import { configSchema } from '../../config/schema.js';
import type { GatewayEvent } from '../../shared/events.js';
import { REDACTED } from '../../shared/redaction.js';
import { redactor } from './stdout-events.js';

const envelope = { id: 'e1', seq: 1, ts: '2026-11-30T10:00:00.000Z', gateway: 'gw1' };
const config = configSchema.parse({
  readers: [
    { id: 'fridge', driver: 'thingmagic', port: '/dev/ttyAMA0' },
    { id: 'badge', driver: 'em4100-ascii', port: '/dev/ttyUSB0' },
  ],
  sensors: [{ id: 'io', driver: 'lines', port: '/dev/ttyACM0', zone: 'fridge' }],
  actuators: [{ id: 'lock', driver: 'lines', device: 'io', channel: 'lock' }],
  cabinets: [
    { id: 'f1', zone: 'fridge', cardReader: 'badge', door: { sensor: 'io' }, lock: 'lock', currency: 'EUR' },
  ],
});

describe('stdout redaction for the journal', () => {
  const redact = redactor(config);

  it('hides customers, cards and the tags a card reader reads, and nothing else', () => {
    const refused: GatewayEvent = {
      ...envelope,
      type: 'purchase.refused',
      cabinet: 'f1',
      reason: 'unknown_card',
      card: '0500207B32',
    };
    expect(redact(refused)).toEqual({ ...refused, card: REDACTED });
    const started: GatewayEvent = {
      ...envelope,
      type: 'purchase.started',
      session: 's1',
      cabinet: 'f1',
      customer: 'cust-17',
      via: 'card',
    };
    expect(redact(started)).toEqual({ ...started, customer: REDACTED });
    const card: GatewayEvent = {
      ...envelope,
      type: 'tag.arrived',
      zone: 'badge',
      reader: 'badge',
      antenna: 1,
      rssi: null,
      tag: '0500207B32',
      reads: 1,
    };
    expect(redact(card)).toEqual({ ...card, tag: REDACTED });
    const item: GatewayEvent = { ...card, reader: 'fridge', zone: 'fridge', tag: '3074257BF7194E4000001A85' };
    expect(redact(item)).toBe(item);
    // The event on the bus (and in the outbox) is not touched.
    expect(started.customer).toBe('cust-17');
  });
});
