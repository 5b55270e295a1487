import { describe, expect, it } from 'vitest';
import type { GatewayEvent } from '../../src/shared/events.js';
import {
  CARD_ANA,
  COLA,
  COLA_REF,
  FridgeRig,
  rigsStoppedAfterEach,
  sgtin,
  WATER,
  WATER_REF,
} from './fridge-rig.js';

/**
 * The catalog's unit weights are for the gateway's own settle logic: the purchase and inventory
 * events keep the items DESIGN.md gives them, whatever the catalog holds.
 */
describe('unit weights stay out of the events', () => {
  const rigs = rigsStoppedAfterEach();

  async function weighedFridge(): Promise<FridgeRig> {
    const rig = await FridgeRig.create([
      { ...COLA, unitWeightG: 350, weightToleranceG: 6 },
      { ...WATER, unitWeightG: 520 },
    ]);
    rigs.push(rig);
    rig.put(sgtin(COLA_REF, 1));
    rig.put(sgtin(COLA_REF, 2));
    rig.put(sgtin(WATER_REF, 1));
    await rig.rounds(60_000);
    return rig;
  }

  /** Every item of every event, wherever events carry items. */
  function itemsOf(events: readonly GatewayEvent[]): Array<Record<string, unknown>> {
    return events.flatMap((event) => {
      const lists: unknown[] = [];
      if (event.type === 'purchase.completed') lists.push(event.items, event.returned, event.foreign);
      if (event.type === 'purchase.cancelled') lists.push(event.items ?? []);
      if (event.type === 'inventory.changed') lists.push(event.added, event.removed);
      return lists.flat() as Array<Record<string, unknown>>;
    });
  }

  it('a purchase charged, and the inventory it changed', async () => {
    const rig = await weighedFridge();
    await rig.card(CARD_ANA);
    await rig.door('open');
    await rig.rounds(1000);
    rig.take(sgtin(COLA_REF, 2));
    await rig.rounds(3000);
    await rig.door('closed');
    await rig.rounds(15_000);
    const [completed] = rig.ofType('purchase.completed');
    expect(completed?.items).toEqual([
      expect.objectContaining({ tag: sgtin(COLA_REF, 2), sku: COLA.sku, unitPrice: COLA.unitPrice }),
    ]);
    const items = itemsOf(rig.events);
    expect(items.filter((item) => item.sku !== undefined).length).toBeGreaterThanOrEqual(4);
    expect(items.filter((item) => 'unitWeightG' in item || 'weightToleranceG' in item)).toEqual([]);
  });

  it('a purchase left uncertain, with the items it could not charge', async () => {
    // An item without a price in the cabinet's currency cannot be charged: uncertain, items listed.
    const rig = await FridgeRig.create([
      { ...WATER, currency: 'USD', unitWeightG: 520, weightToleranceG: 8 },
    ]);
    rigs.push(rig);
    rig.put(sgtin(WATER_REF, 1));
    // One stays in: a fridge read empty after the door closed is uncertain for that reason alone.
    rig.put(sgtin(WATER_REF, 2));
    await rig.rounds(60_000);
    await rig.card(CARD_ANA);
    await rig.door('open');
    await rig.rounds(1000);
    rig.take(sgtin(WATER_REF, 1));
    await rig.rounds(3000);
    await rig.door('closed');
    await rig.rounds(15_000);
    const [cancelled] = rig.ofType('purchase.cancelled');
    expect(cancelled).toMatchObject({ confidence: 'uncertain' });
    expect(cancelled?.items).toEqual([
      {
        tag: sgtin(WATER_REF, 1),
        uri: expect.any(String),
        gtin: WATER.gtin,
        sku: WATER.sku,
        name: WATER.name,
        unitPrice: WATER.unitPrice,
        currency: 'USD',
      },
    ]);
    expect(itemsOf(rig.events).filter((item) => 'unitWeightG' in item)).toEqual([]);
  });
});
