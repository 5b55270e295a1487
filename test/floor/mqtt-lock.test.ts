import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startMosquitto } from '../helpers/mosquitto.js';
import { MqttCollector } from '../helpers/mqtt-collector.js';
import { type Event, eventAfter, Floor, TEST_TIMEOUT_MS, WAIT_MS } from './floor-harness.js';

const LOCK_TOPIC = 'rfid/floor/actuators/lock/set';
const CLOSED = JSON.stringify({ value: 'closed' });

const isLockEvent = (type: string) => (event: Event) => event.type === type && event.actuator === 'lock';

/**
 * A cabinet lock that is somebody else's device behind MQTT (`driver: mqtt`): the gateway publishes
 * its commands under `<base>/actuators/lock/set`. Nothing can be published before the broker
 * connection is made, which is after start-up: the safe state must follow the connection (and every
 * reconnect), and "not connected yet" must not put the lock out of order. Real Mosquitto, the
 * gateway as a process.
 */
describe('floor: an MQTT lock (real Mosquitto, real gateway process)', () => {
  let floor: Floor;
  const closers: Array<() => Promise<unknown>> = [];
  beforeEach(() => {
    floor = new Floor();
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => {});
    await floor.dispose();
  });

  it(
    'is put in its safe state once the broker is connected and after a reconnect, with no fault, and takes requests',
    async () => {
      // Persistent, so that the lock's subscriber keeps its session (and gets what was published
      // meanwhile) across the broker's restart below.
      const broker = await startMosquitto({ persistence: true });
      const lockDevice = await MqttCollector.start(broker.url, 'rfid/floor/actuators/#', {
        clientId: 'the-lock',
        clean: false,
      });
      closers.push(() => lockDevice.close());
      const commands = () => lockDevice.messages.filter((message) => message.topic === LOCK_TOPIC);

      const config = floor.config('mqtt-lock', {
        zones: [{ id: 'cabinet' }],
        mqtt: { url: broker.url, reconnect: { initialMs: 200, maxMs: 1000 } },
        actuators: [{ id: 'lock', driver: 'mqtt', safeState: 'closed' }],
      });
      const gateway = floor.run(config);

      // The safe state, published once the connection is made.
      await lockDevice.waitFor((messages) => messages.some((m) => m.topic === LOCK_TOPIC), 'the safe state');
      expect(commands().map((m) => [m.payload, m.retain])).toEqual([[CLOSED, false]]);
      const locked = await gateway.waitForEvent(
        (event) => isLockEvent('actuator.changed')(event) && event.value === 'closed',
        'actuator.changed closed',
        WAIT_MS,
      );
      expect(locked.reason).toBe('broker connected');
      // Not connected yet at start-up is no fault.
      expect(gateway.events().filter(isLockEvent('actuator.status'))).toEqual([]);

      // A request reaches the lock's topic (pinged first: a request sent before the gateway has
      // subscribed would be lost).
      const requester = await MqttCollector.start(broker.url, 'rfid/floor/response/#');
      closers.push(() => requester.close());
      for (let attempt = 0; !requester.messages.some((m) => m.topic.endsWith('/ping')); attempt++) {
        if (attempt > 100) throw new Error(`the gateway never answered ping:\n${gateway.stderr}`);
        await requester.client.publishAsync('rfid/floor/request/ping', '{}');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await requester.client.publishAsync(
        'rfid/floor/request/actuators/set',
        JSON.stringify({ transaction: 't1', actuator: 'lock', value: 'open', pulseMs: 3000 }),
      );
      await lockDevice.waitFor(() => commands().length >= 2, 'the pulse command');
      expect(JSON.parse(commands()[1]?.payload ?? '{}')).toEqual({
        value: 'open',
        pulseMs: 3000,
        restValue: 'closed',
      });
      await requester.waitFor(
        (messages) => messages.some((m) => m.topic === 'rfid/floor/response/actuators/set'),
        'the response',
      );
      const answer = requester.messages.find((m) => m.topic === 'rfid/floor/response/actuators/set');
      expect(JSON.parse(answer?.payload ?? '{}')).toMatchObject({ transaction: 't1', status: 'ok' });

      // The broker restarts: once the gateway is back, the lock gets its safe state again.
      const beforeRestart = gateway.events().at(-1);
      await broker.restart();
      await lockDevice.waitFor(() => commands().length >= 3, 'the safe state after the reconnect', WAIT_MS);
      expect(commands()[2]?.payload).toBe(CLOSED);
      await gateway.waitForEvent(
        eventAfter(
          beforeRestart,
          (event) =>
            isLockEvent('actuator.changed')(event) &&
            event.value === 'closed' &&
            event.reason === 'broker connected',
        ),
        'actuator.changed closed after the reconnect',
        WAIT_MS,
      );
      expect(gateway.events().filter(isLockEvent('actuator.status'))).toEqual([]);

      // Shutdown locks it too.
      expect(await gateway.stop('SIGTERM')).toBe(0);
      await lockDevice.waitFor(() => commands().length >= 4, 'the safe state at shutdown');
      expect(commands()[3]?.payload).toBe(CLOSED);
      expect(gateway.events().filter(isLockEvent('actuator.status'))).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});
