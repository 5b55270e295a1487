import { afterEach, describe, expect, it } from 'vitest';
import { Readers } from '../../src/app/readers.js';
import { configSchema } from '../../src/config/schema.js';
import { silentLogger } from '../../src/observability/logger.js';
import { systemClock } from '../../src/shared/clock.js';
import type { EventBody } from '../../src/shared/events.js';
import { createTransport } from '../../src/transport/index.js';
import { CliProcess } from '../helpers/cli.js';
import { createPtyPair } from '../helpers/pty.js';
import { waitFor } from '../transport/wait.js';

/**
 * A search for given tags end to end: the reading side in this process with the real ThingMagic
 * driver on one end of a socat pty pair, `rfid-gateway simulate` (the built command line) playing the
 * module on the other. Nothing is faked between the two: the stop, the select-filtered reads and the
 * start cross real pseudo-terminals.
 */

/** An SGTIN-96 the simulator never streams (its tags are serials 1000 and up of company 0614141). */
const NOT_IN_FIELD = '3074257BF7194E4000000001';
const WAIT_MS = 30_000;

describe('a search for given tags over a real pty', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('finds a tag in the field, not one outside it, and continuous reads flow again', async () => {
    const pty = await createPtyPair();
    cleanup.push(() => pty.close());
    const simulator = new CliProcess([
      'simulate',
      '--driver',
      'thingmagic',
      '--port',
      pty.a,
      '--tags',
      '3',
      '--rate',
      '30',
    ]);
    cleanup.push(() => simulator.stop('SIGKILL'));
    await simulator.waitForLog(/simulated thingmagic online/);

    const events: EventBody[] = [];
    const logger = silentLogger();
    const readers = new Readers({
      config: configSchema.parse({
        gatewayId: 'search',
        readers: [{ id: 'fridge', driver: 'thingmagic', port: pty.b }],
      }),
      clock: systemClock,
      logger,
      emit: (body) => events.push(body),
      transportFor: (device) =>
        createTransport({ port: device.port, baudRate: 115_200 }, { clock: systemClock, logger }),
    });
    readers.start();
    cleanup.push(() => readers.stop());

    const inField = await waitFor(
      'a tag read in continuous reading',
      () => {
        const arrived = events.find((event) => event.type === 'tag.arrived');
        return arrived?.type === 'tag.arrived' ? arrived.tag : undefined;
      },
      WAIT_MS,
    );
    // A tag may be read before the reader counts as ready (its first frame after the start-up):
    // a search waits for online, as the cabinet's does.
    await waitFor(
      'the reader online',
      () => (readers.pipeline('fridge')?.state === 'online' ? true : undefined),
      WAIT_MS,
    );
    const result = await readers.control.search('fridge', [NOT_IN_FIELD, inField]);
    expect(result).toEqual({
      ok: true,
      found: [inField],
      notFound: [NOT_IN_FIELD],
      tookMs: expect.any(Number),
    });

    const pipeline = readers.pipeline('fridge');
    const readsAfter = pipeline?.counters.reads ?? 0;
    await waitFor(
      'reads after the search',
      () => ((pipeline?.counters.reads ?? 0) > readsAfter + 10 ? true : undefined),
      WAIT_MS,
    );
    expect(pipeline?.state).toBe('online');
    expect(pipeline?.counters.searches).toBe(1);
    // Nothing went missing meanwhile: the reader was never reported anything but online.
    const statuses = events.flatMap((event) => (event.type === 'reader.status' ? [event.state] : []));
    expect(statuses).toEqual(['online']);
    expect(events.filter((event) => event.type === 'tag.departed')).toEqual([]);
  }, 90_000);
});
