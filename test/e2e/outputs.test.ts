import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CliProcess } from '../helpers/cli.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { MqttCollector } from '../helpers/mqtt-collector.js';
import { createPtyPair, type PtyPair } from '../helpers/pty.js';

const utf8 = (text: string) => new TextEncoder().encode(text);

/**
 * A `lines` microcontroller is one port both ways: it reports `door=open` and takes `lock=...` on
 * the same wire. The test plays the microcontroller on a real pty and the back office on a real
 * Mosquitto; the gateway runs as it would in a store.
 */
describe('outputs: a lines microcontroller driven from the bus (real pty, real Mosquitto)', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function setup() {
    const broker = await startMosquitto();
    const io: PtyPair = await createPtyPair();
    cleanup.push(() => io.close());
    const dir = mkdtempSync(join(tmpdir(), 'rfid-outputs-'));
    const config = join(dir, 'gateway.json');
    writeFileSync(
      config,
      JSON.stringify({
        gatewayId: 'gw-out',
        dataDir: join(dir, 'data'),
        logLevel: 'warn',
        sensors: [{ id: 'io', driver: 'lines', port: io.b, zone: 'fridge' }],
        actuators: [{ id: 'lock', driver: 'lines', device: 'io', channel: 'lock', safeState: 'closed' }],
        mqtt: { url: broker.url },
      }),
    );
    const events = await MqttCollector.start(broker.url, 'rfid/gw-out/#');
    cleanup.push(() => events.close());
    const gateway = new CliProcess(['run', '--config', config]);
    cleanup.push(() => gateway.stop('SIGKILL'));
    const requester = await MqttCollector.start(broker.url, 'rfid/gw-out/response/#');
    cleanup.push(() => requester.close());
    // A request sent before the gateway has subscribed would be lost: ping until it answers.
    for (let attempt = 0; !requester.messages.some((m) => m.topic.endsWith('/ping')); attempt++) {
      if (attempt > 100) throw new Error(`the gateway never answered ping:\n${gateway.stderr}`);
      await requester.client.publishAsync('rfid/gw-out/request/ping', '{}');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    requester.messages.length = 0;
    return { io, events, gateway, requester };
  }

  it('applies the safe state when the port opens, pulses on request, reads on the same wire, and locks at shutdown', async () => {
    const { io, events, gateway, requester } = await setup();
    // The safe state as soon as the port is online.
    expect((await io.readA('lock=closed\n'.length, 10_000)).toString()).toBe('lock=closed\n');

    // Input on the same wire.
    io.writeA(utf8('door=open\n'));
    await gateway.waitForEvent(
      (event) => event.type === 'sensor.changed' && event.value === 'open',
      'door open',
    );

    // A pulse requested over MQTT: the microcontroller ends it by itself.
    await requester.client.publishAsync(
      'rfid/gw-out/request/actuators/set',
      JSON.stringify({ transaction: 't1', actuator: 'lock', value: 'open', pulseMs: 5000 }),
    );
    expect((await io.readA('lock=open:5000\n'.length, 10_000)).toString()).toBe('lock=open:5000\n');
    await requester.waitFor((messages) => messages.length > 0, 'the response');
    expect(JSON.parse(requester.messages[0]?.payload ?? '{}')).toEqual({
      transaction: 't1',
      status: 'ok',
      data: { actuator: 'lock', value: 'open', pulseMs: 5000 },
    });
    await events.waitFor(
      (messages) =>
        messages.some(
          (m) => m.topic === 'rfid/gw-out/events/actuator/changed' && m.payload.includes('"pulseMs":5000'),
        ),
      'actuator.changed',
    );

    // An unknown actuator is an error answer, not a crash.
    await requester.client.publishAsync(
      'rfid/gw-out/request/actuators/set',
      JSON.stringify({ transaction: 't2', actuator: 'vault', value: 'open' }),
    );
    await requester.waitFor((messages) => messages.length > 1, 'the second response');
    expect(JSON.parse(requester.messages[1]?.payload ?? '{}')).toMatchObject({
      transaction: 't2',
      status: 'error',
      error: expect.stringContaining('unknown actuator "vault"'),
    });

    // Shutdown locks before the port closes.
    expect(await gateway.stop('SIGTERM')).toBe(0);
    expect((await io.readA('lock=closed\n'.length, 5_000)).toString()).toBe('lock=closed\n');
  });

  it('reports an unplugged output as a fault and goes on reading', async () => {
    const { io, events, gateway, requester } = await setup();
    await io.readA('lock=closed\n'.length, 10_000);
    await io.kill();
    await requester.client.publishAsync(
      'rfid/gw-out/request/actuators/set',
      JSON.stringify({ actuator: 'lock', value: 'open', pulseMs: 1000 }),
    );
    await requester.waitFor((messages) => messages.length > 0, 'the response');
    expect(JSON.parse(requester.messages[0]?.payload ?? '{}')).toMatchObject({ status: 'error' });
    await events.waitFor(
      (messages) =>
        messages.some(
          (m) => m.topic === 'rfid/gw-out/events/actuator/status' && m.payload.includes('"fault"'),
        ),
      'actuator.status fault',
    );
    // Plugged back in: the device comes online, gets its safe state, and its input flows again.
    await io.restart();
    expect((await io.readA('lock=closed\n'.length, 15_000)).toString()).toBe('lock=closed\n');
    io.writeA(utf8('door=closed\n'));
    await gateway.waitForEvent(
      (event) => event.type === 'sensor.changed' && event.value === 'closed',
      'door closed',
    );
    expect(await gateway.stop('SIGTERM')).toBe(0);
  });
});
