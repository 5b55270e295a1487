import { afterEach, describe, expect, it } from 'vitest';
import { CARD_ANA, COLA_REF, FridgeRig, fridgeConfig, sgtin } from './fridge-rig.js';

describe('a cabinet whose lock does not answer', () => {
  const rigs: FridgeRig[] = [];
  afterEach(async () => {
    for (const rig of rigs.splice(0)) {
      await rig.stop();
      rig.dispose();
    }
  });

  it('shows out of order and refuses cards until the lock answers again', async () => {
    const base = fridgeConfig();
    const rig = await FridgeRig.create(
      undefined,
      fridgeConfig({ cabinets: (base.cabinets ?? []).map((cabinet) => ({ ...cabinet, display: 'screen' })) }),
    );
    rigs.push(rig);
    rig.put(sgtin(COLA_REF, 1));
    await rig.rounds(30_000);
    expect(rig.screens?.current('screen')?.template).toBe('idle');

    await rig.emit({
      type: 'actuator.status',
      actuator: 'lock',
      state: 'fault',
      reason: '/dev/ttyACM0: no write within 2000 ms',
    });
    expect(rig.screens?.current('screen')).toMatchObject({
      template: 'out_of_order',
      lines: ['Out of order', 'Please ask staff'],
    });
    await rig.card(CARD_ANA);
    expect(rig.ofType('purchase.started')).toEqual([]);
    expect(rig.ofType('purchase.refused')).toEqual([
      expect.objectContaining({ reason: 'out_of_order', customer: 'cust-17' }),
    ]);
    // Another lock's fault is not this cabinet's business.
    await rig.emit({ type: 'actuator.status', actuator: 'buzzer', state: 'ok', reason: 'write succeeded' });
    await rig.rounds(60_000);
    expect(rig.screens?.current('screen')?.template).toBe('out_of_order');

    await rig.emit({ type: 'actuator.status', actuator: 'lock', state: 'ok', reason: 'write succeeded' });
    expect(rig.screens?.current('screen')?.template).toBe('idle');
    await rig.rounds(10_000); // the card leaves the reader before it is presented again
    await rig.card(CARD_ANA);
    expect(rig.ofType('purchase.started')).toHaveLength(1);
  });
});
