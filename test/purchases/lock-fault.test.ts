import { describe, expect, it } from 'vitest';
import { CARD_ANA, COLA_REF, FridgeRig, fridgeConfig, rigsStoppedAfterEach, sgtin } from './fridge-rig.js';

describe('a cabinet whose lock does not answer', () => {
  const rigs = rigsStoppedAfterEach();

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

  it('takes a value the lock does not know for a bad request, never for a fault of the lock', async () => {
    // An LCUS relay board: `open` and `closed` are its values; `opne` is a typo of the asker's.
    const relay = {
      id: 'lock',
      driver: 'relay-lcus' as const,
      port: '/dev/ttyUSB7',
      channel: 1,
      values: { open: 'on' as const, closed: 'off' as const },
      safeState: 'closed',
    };
    const base = fridgeConfig();
    const rig = await FridgeRig.create(
      undefined,
      fridgeConfig({
        actuators: [relay],
        cabinets: (base.cabinets ?? []).map((cabinet) => ({ ...cabinet, display: 'screen' })),
      }),
    );
    rigs.push(rig);
    rig.put(sgtin(COLA_REF, 1));
    await rig.rounds(5_000);
    const sentBefore = rig.devices.written()['/dev/ttyUSB7']?.writes;

    const answer = await rig.request('actuators/set', { actuator: 'lock', value: 'opne' });
    expect(answer).toMatchObject({
      status: 'error',
      error: 'actuator lock: "opne" is not one of its values ("open", "closed")',
    });
    // Nothing was written, the lock is not in fault, the cabinet still sells.
    expect(rig.devices.written()['/dev/ttyUSB7']?.writes).toBe(sentBefore);
    expect(rig.ofType('actuator.status')).toEqual([]);
    expect(rig.screens?.current('screen')?.template).toBe('idle');
    await rig.card(CARD_ANA);
    expect(rig.ofType('purchase.refused')).toEqual([]);
    expect(rig.ofType('purchase.started')).toHaveLength(1);
  });

  it('refuses a value outside the listed values of a lines lock the same way', async () => {
    const rig = await FridgeRig.create(
      undefined,
      fridgeConfig({
        actuators: [
          {
            id: 'lock',
            driver: 'lines',
            device: 'io',
            channel: 'lock',
            safeState: 'closed',
            values: ['open', 'closed'],
          },
        ],
      }),
    );
    rigs.push(rig);
    expect(await rig.request('actuators/set', { actuator: 'lock', value: 'opne' })).toMatchObject({
      status: 'error',
      error: 'actuator lock: "opne" is not one of its values ("open", "closed")',
    });
    expect(
      await rig.request('actuators/set', { actuator: 'lock', value: 'open', pulseMs: 3000 }),
    ).toMatchObject({
      status: 'ok',
    });
    expect(rig.ofType('actuator.status')).toEqual([]);
    expect(Buffer.from(rig.devices.written().io?.firstHex ?? '', 'hex').toString()).toBe('lock=open:3000\n');
  });
});
