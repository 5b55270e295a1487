import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type IClientPublishOptions, type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { Controller } from '../../src/app/controller.js';
import { configSchema } from '../../src/config/schema.js';
import { groupSigningTarget, signRequest } from '../../src/mqtt/request-signature.js';
import { silentLogger } from '../../src/observability/logger.js';
import { systemClock } from '../../src/shared/clock.js';
import { FakePort } from '../helpers/fake-port.js';
import { startMosquitto } from '../helpers/mosquitto.js';

/**
 * Requests to a group of gateways, end to end: a real Mosquitto and three whole gateways (the
 * controller in `run` mode, each with its own store): gw1 and gw2 in the group `north`, gw3 in
 * `south`. A caller publishes once on `rfid/groups/<group>/request/<command>` and collects one
 * answer per member on `rfid/groups/<group>/response/<gateway>/<command>`.
 */

const KEY = 'a'.repeat(64);
const MEMBERS: Record<string, string[]> = { gw1: ['north'], gw2: ['north'], gw3: ['south'] };
const water = { sku: 'W1', gtin: '80614141123458', name: 'Water', unitPrice: 150, currency: 'EUR' };

interface Answer {
  topic: string;
  body: Record<string, unknown>;
  correlation?: string;
}

describe('group commands (real Mosquitto, three gateways)', () => {
  const cleanup: Array<() => Promise<unknown> | unknown> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function fleet(required: boolean) {
    const broker = await startMosquitto();
    const dir = mkdtempSync(join(tmpdir(), 'rfid-groups-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const keyFile = join(dir, 'ops.key');
    writeFileSync(keyFile, KEY, { mode: 0o600 });
    for (const [gatewayId, groups] of Object.entries(MEMBERS)) {
      const config = configSchema.parse({
        gatewayId,
        dataDir: join(dir, gatewayId),
        readers: [{ id: 'fridge', driver: 'em4100-ascii', port: 'fake:fridge', zone: 'fridge' }],
        mqtt: { url: broker.url, protocolVersion: 5, groups, reconnect: { initialMs: 200, maxMs: 1000 } },
        security: { signedCommands: { required, clients: [{ id: 'ops', keyFile }] } },
      });
      const controller = Controller.create(config, {
        mode: 'run',
        clock: systemClock,
        logger: silentLogger(),
        dataDir: join(dir, gatewayId),
        mqtt: config.mqtt,
        drainMs: 1000,
        transportFor: (device) => new FakePort(`fake:${device.id}`),
      });
      await controller.start();
      cleanup.push(() => controller.stop());
    }
    const caller = await connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0 });
    cleanup.push(() => caller.endAsync(true));
    const answers: Answer[] = [];
    caller.on('message', (topic, payload, packet) => {
      const correlation = packet.properties?.correlationData;
      answers.push({
        topic,
        body: JSON.parse(payload.toString('utf8')) as Record<string, unknown>,
        ...(correlation === undefined ? {} : { correlation: correlation.toString('utf8') }),
      });
    });
    await caller.subscribeAsync(
      ['rfid/groups/+/response/#', 'rfid/+/response/#', 'rfid/groups/+/replies/#'],
      {
        qos: 1,
      },
    );
    // Every gateway answers its own ping once its subscriptions are in place.
    await Promise.all(
      Object.keys(MEMBERS).map((gateway) =>
        untilAnswered(caller, answers, `rfid/${gateway}/request/ping`, `ready-${gateway}`, 1),
      ),
    );
    return { caller, answers };
  }

  /** Publishes a request and waits for `count` answers echoing its transaction. */
  async function untilAnswered(
    caller: MqttClient,
    answers: Answer[],
    topic: string,
    transaction: string,
    count: number,
    payload: Record<string, unknown> = {},
    options: IClientPublishOptions = {},
  ): Promise<Answer[]> {
    const mine = () => answers.filter((answer) => answer.body.transaction === transaction);
    const deadline = Date.now() + 15_000;
    // A gateway still subscribing misses the first copy: publish again until someone answers.
    let published = 0;
    while (mine().length < count) {
      if (Date.now() > deadline)
        throw new Error(`${mine().length} of ${count} answers to ${transaction}: ${JSON.stringify(answers)}`);
      if (published === 0 || (mine().length === 0 && transaction.startsWith('ready-') && published < 50)) {
        await caller.publishAsync(topic, JSON.stringify({ transaction, ...payload }), { qos: 1, ...options });
        published++;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return mine();
  }

  /** Sends `request` to one gateway and waits for its answer, after which anything sent before has been answered by it. */
  async function direct(
    caller: MqttClient,
    answers: Answer[],
    gateway: string,
    command: string,
    transaction: string,
    payload: Record<string, unknown> = {},
  ): Promise<Record<string, unknown>> {
    const [answer] = await untilAnswered(
      caller,
      answers,
      `rfid/${gateway}/request/${command}`,
      transaction,
      1,
      payload,
    );
    return answer?.body ?? {};
  }

  it('runs a request on every member of the group and nowhere else, one answer per gateway', async () => {
    const { caller, answers } = await fleet(false);

    const pings = await untilAnswered(caller, answers, 'rfid/groups/north/request/ping', 'p1', 2);
    expect(pings.map((answer) => answer.topic).sort()).toEqual([
      'rfid/groups/north/response/gw1/ping',
      'rfid/groups/north/response/gw2/ping',
    ]);
    for (const { topic, body } of pings) {
      const gateway = topic.split('/')[4];
      expect(body).toMatchObject({ transaction: 'p1', gateway, group: 'north', status: 'ok' });
      expect((body.data as { gateway: string }).gateway).toBe(gateway);
    }

    const set = await untilAnswered(caller, answers, 'rfid/groups/north/request/catalog/set', 'c1', 2, {
      products: [water],
    });
    expect(
      set.map((answer) => answer.body).sort((a, b) => String(a.gateway).localeCompare(String(b.gateway))),
    ).toEqual(
      ['gw1', 'gw2'].map((gateway) => ({
        transaction: 'c1',
        gateway,
        group: 'north',
        status: 'ok',
        data: { added: 1, updated: 0, unchanged: 0, removed: [], missing: [] },
      })),
    );
    // gw3 answers this after anything published before it: by then it would have run c1 too.
    const south = await direct(caller, answers, 'gw3', 'catalog/get', 'g3');
    expect(south).toMatchObject({ status: 'ok', data: { products: [] } });
    for (const gateway of ['gw1', 'gw2']) {
      const got = await direct(caller, answers, gateway, 'catalog/get', `g-${gateway}`);
      expect(got).toMatchObject({ status: 'ok', data: { products: [{ sku: 'W1', unitPrice: 150 }] } });
    }
    expect(
      answers.filter((answer) => answer.body.transaction === 'c1' || answer.body.transaction === 'p1'),
    ).toHaveLength(4);

    // A command one gateway lacks is an error from each member, naming it.
    const unknown = await untilAnswered(caller, answers, 'rfid/groups/south/request/no/such', 'u1', 1);
    expect(unknown[0]).toMatchObject({
      topic: 'rfid/groups/south/response/gw3/no/such',
      body: { transaction: 'u1', gateway: 'gw3', group: 'south', status: 'error' },
    });
    expect(String(unknown[0]?.body.error)).toMatch(/^unknown command "no\/such"/);
  });

  it('honours an MQTT 5 response topic under the group only', async () => {
    const { caller, answers } = await fleet(false);
    const correlationData = Buffer.from('corr-1');

    const inside = await untilAnswered(
      caller,
      answers,
      'rfid/groups/north/request/ping',
      'r1',
      2,
      {},
      {
        properties: { responseTopic: 'rfid/groups/north/replies/console-1', correlationData },
      },
    );
    expect(inside.map((answer) => [answer.topic, answer.correlation])).toEqual([
      ['rfid/groups/north/replies/console-1', 'corr-1'],
      ['rfid/groups/north/replies/console-1', 'corr-1'],
    ]);
    expect(inside.map((answer) => answer.body.gateway).sort()).toEqual(['gw1', 'gw2']);

    // Under a gateway's base, another group's, or anywhere else: refused, the request does not run.
    for (const [index, responseTopic] of [
      'rfid/gw1/response/catalog/set',
      'rfid/groups/south/x',
      'ops/replies',
    ].entries()) {
      const transaction = `r-out-${index}`;
      const refused = await untilAnswered(
        caller,
        answers,
        'rfid/groups/north/request/catalog/set',
        transaction,
        2,
        { products: [water] },
        {
          properties: { responseTopic, correlationData },
        },
      );
      expect(refused.map((answer) => answer.topic).sort()).toEqual([
        'rfid/groups/north/response/gw1/catalog/set',
        'rfid/groups/north/response/gw2/catalog/set',
      ]);
      for (const { body, correlation } of refused) {
        expect(correlation).toBe('corr-1');
        expect(body).toMatchObject({
          transaction,
          group: 'north',
          status: 'error',
          error: `response topic ${JSON.stringify(responseTopic)} refused: responses are published only under rfid/groups/north/`,
        });
      }
    }
    const got = await direct(caller, answers, 'gw1', 'catalog/get', 'g1');
    expect(got).toMatchObject({ status: 'ok', data: { products: [] } });
  });

  it('takes a request signed for the group once on each member, and refuses it anywhere else', async () => {
    const { caller, answers } = await fleet(true);
    const signed = (transaction: string, target: string, command = 'catalog/set') =>
      signRequest(
        KEY,
        { gateway: target, command, client: 'ops', ts: new Date().toISOString() },
        { transaction, products: [water] },
      );
    const errorsOf = (list: Answer[]) =>
      list
        .map((answer) => [answer.body.gateway, answer.body.error])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0])));

    // Unsigned: refused by every member, as a single gateway's would be.
    const unsigned = await untilAnswered(caller, answers, 'rfid/groups/north/request/catalog/set', 's0', 2, {
      products: [water],
    });
    expect(errorsOf(unsigned)).toEqual(
      ['gw1', 'gw2'].map((gateway) => [
        gateway,
        'signature required: a command that changes state or reads personal data must carry client, ts and signature',
      ]),
    );

    // Signed for the group: each member checks it and runs it.
    const forNorth = signed('s1', groupSigningTarget('north'));
    const { transaction: _t, ...forNorthBody } = forNorth;
    const ok = await untilAnswered(
      caller,
      answers,
      'rfid/groups/north/request/catalog/set',
      's1',
      2,
      forNorthBody,
    );
    expect(ok.map((answer) => [answer.body.gateway, answer.body.status]).sort()).toEqual([
      ['gw1', 'ok'],
      ['gw2', 'ok'],
    ]);

    // The same message again to the group: each member remembers it.
    const again = await untilAnswered(
      caller,
      answers,
      'rfid/groups/north/request/catalog/set',
      's1',
      4,
      forNorthBody,
    );
    expect(errorsOf(again.slice(2))).toEqual([
      ['gw1', 'signature: already used (a replay)'],
      ['gw2', 'signature: already used (a replay)'],
    ]);

    // Replayed to another group, or to one member directly: it was not signed for them.
    const toSouth = await untilAnswered(
      caller,
      answers,
      'rfid/groups/south/request/catalog/set',
      's1',
      5,
      forNorthBody,
    );
    expect(toSouth[4]?.body).toMatchObject({
      gateway: 'gw3',
      error:
        'signature: does not match (wrong key, or signed for another command or not for the group "south")',
    });
    const toGw1 = await untilAnswered(caller, answers, 'rfid/gw1/request/catalog/set', 's1', 6, forNorthBody);
    expect(toGw1[5]).toMatchObject({
      topic: 'rfid/gw1/response/catalog/set',
      body: {
        status: 'error',
        error: 'signature: does not match (wrong key, or signed for another command or gateway)',
      },
    });

    // And the other way round: a request signed for gw1 alone does not run on its group.
    const { transaction: _t2, ...forGw1 } = signed('s2', 'gw1');
    const single = await untilAnswered(
      caller,
      answers,
      'rfid/groups/north/request/catalog/set',
      's2',
      2,
      forGw1,
    );
    expect(single.every((answer) => String(answer.body.error).startsWith('signature: does not match'))).toBe(
      true,
    );

    // gw3 ran nothing; the audit of gw1 names the group of what it ran.
    const south = await direct(caller, answers, 'gw3', 'catalog/get', 'g3');
    expect(south).toMatchObject({ status: 'ok', data: { products: [] } });
    const { transaction: _t3, ...auditGet } = signRequest(
      KEY,
      { gateway: 'gw1', command: 'audit/get', client: 'ops', ts: new Date().toISOString() },
      { transaction: 'a1', command: 'catalog/set' },
    );
    const audit = await direct(caller, answers, 'gw1', 'audit/get', 'a1', auditGet);
    const entries = (audit.data as { entries: Array<Record<string, unknown>> }).entries;
    expect(
      entries
        .map((entry) => [entry.transaction, entry.group ?? null, entry.client, entry.verified, entry.outcome])
        .reverse(),
    ).toEqual([
      ['s0', 'north', 'unsigned', false, expect.stringMatching(/^refused: signature required/)],
      ['s1', 'north', 'ops', true, 'ok'],
      ['s1', 'north', 'ops', false, 'refused: signature: already used (a replay)'],
      ['s1', null, 'ops', false, expect.stringMatching(/^refused: signature: does not match/)],
      ['s2', 'north', 'ops', false, expect.stringMatching(/^refused: signature: does not match/)],
    ]);
  });
});
