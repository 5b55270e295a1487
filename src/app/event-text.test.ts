import { describe, expect, it } from 'vitest';
import type { GatewayEvent } from '../shared/events.js';
import { eventText } from './event-text.js';

const envelope = { id: 'e1', seq: 7, ts: '2026-12-07T10:00:01.250Z', gateway: 'gw' };
const euros = (amount: number) => `${Math.trunc(amount / 100)}.${String(amount % 100).padStart(2, '0')}`;

describe('event lines at a terminal', () => {
  it('says who decided an uncertain session and what was charged', () => {
    const event = {
      ...envelope,
      type: 'purchase.resolved',
      session: 's-9',
      cabinet: 'fridge-1',
      customer: 'cust-0063',
      items: [{ tag: '3034257BF7194E8000000066', name: 'Sparkling water 0.5 l', unitPrice: 180 }],
      total: 180,
      currency: 'EUR',
      resolvedBy: 'console',
    } as GatewayEvent;
    expect(eventText(event, euros)).toBe(
      '10:00:01.250  #7  purchase.resolved   fridge-1: session s-9 resolved by console: Sparkling water 0.5 l charged, 1.80',
    );
    const nothing = { ...event, items: [], total: 0 } as GatewayEvent;
    expect(eventText(nothing, euros)).toMatch(/resolved by console: nothing charged, 0.00$/);
  });

  it('says which alarm was acknowledged, where, and by whom', () => {
    const event = {
      ...envelope,
      type: 'alarm.acknowledged',
      alarm: 'a-1',
      kind: 'unpaid_exit',
      door: 'exit-1',
      by: 'console',
      note: 'customer came back and paid',
    } as GatewayEvent;
    expect(eventText(event, euros)).toBe(
      '10:00:01.250  #7  alarm.acknowledged  unpaid_exit at exit-1 acknowledged by console',
    );
  });
});
