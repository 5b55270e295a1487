import { describe, expect, it } from 'vitest';
import { startMosquitto } from '../helpers/mosquitto.js';
import { startGateway, subscriber, textLogger, waitFor } from './fixture.js';

/**
 * A broker whose ACL lets the gateway publish its status and inventory but not its events. MQTT 5
 * says so in the PUBACK (reason code 135), so the events are dead-lettered; MQTT 3.1.1 cannot:
 * Mosquitto acknowledges the publish and drops it, so the gateway believes it delivered them.
 */

const USERS = { gw1: 'gw1-secret', ops: 'ops-secret' };
const ACL = [
  'user gw1',
  'topic readwrite rfid/gw1/status',
  'topic readwrite rfid/gw1/inventory/#',
  'user ops',
  'topic read rfid/#',
];
const INVENTORY = 'rfid/gw1/inventory/fridge';

async function setup(protocolVersion: 4 | 5) {
  const broker = await startMosquitto({ users: USERS, acl: ACL });
  const ops = await subscriber(broker.url, 'rfid/gw1/#', { username: 'ops', password: USERS.ops });
  const { logger, lines } = textLogger();
  const gateway = startGateway(
    { url: broker.url, username: 'gw1', password: USERS.gw1, protocolVersion },
    { logger },
  );
  await waitFor('a connection', () => gateway.client.connected);
  gateway.emit(['tag.arrived', 'purchase.completed', 'sensor.changed']);
  await expect(gateway.publisher.drain(10_000)).resolves.toBe(true);
  // Published after the events on the same connection: once it arrives, any event would have too.
  gateway.publisher.publishRetained(INVENTORY, { zone: 'fridge', tags: [] });
  await waitFor('the inventory at the consumer', () =>
    ops.messages.some((message) => message.topic === INVENTORY),
  );
  return { broker, ops, gateway, lines };
}

describe('an ACL that denies the events topic', () => {
  it('MQTT 5: every refused event is dead-lettered with the reason, none marked sent', async () => {
    const { ops, gateway, lines } = await setup(5);
    expect(gateway.outbox.stats()).toMatchObject({ depth: 0, deadLettered: 3 });
    expect(gateway.publisher.stats()).toMatchObject({ acknowledged: 0, deadLettered: 3 });
    const deadLettered = lines
      .map((line) => JSON.parse(line) as { msg: string; seq?: number; reason?: string })
      .filter((line) => line.msg === 'event dead-lettered');
    expect(deadLettered.map((line) => line.seq)).toEqual([1, 2, 3]);
    expect(deadLettered[0]?.reason).toBe(
      'the broker refused the publish on rfid/gw1/events/tag/arrived: Not authorized (reason code 135 / 0x87)',
    );
    expect(ops.messages.filter((message) => message.topic.includes('/events/'))).toEqual([]);
  });

  it('MQTT 3.1.1: Mosquitto acknowledges and drops them, so they count as sent (documented limitation)', async () => {
    const { ops, gateway } = await setup(4);
    expect(gateway.outbox.stats()).toMatchObject({ depth: 0, deadLettered: 0, ackedThroughSeq: 3 });
    expect(gateway.publisher.stats()).toMatchObject({ acknowledged: 3, deadLettered: 0 });
    expect(ops.messages.filter((message) => message.topic.includes('/events/'))).toEqual([]);
  });
});
