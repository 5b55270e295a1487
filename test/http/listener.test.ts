import { readdirSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Controller, StartupError } from '../../src/app/controller.js';
import { configSchema, type GatewayConfigInput } from '../../src/config/schema.js';
import { silentLogger } from '../../src/observability/logger.js';
import { VirtualClock } from '../../src/shared/clock.js';
import { HttpRig, T0 } from './http-rig.js';

const gateway = (http: GatewayConfigInput['http']): GatewayConfigInput => ({
  gatewayId: 'gw-listener',
  readers: [{ id: 'fridge', driver: 'thingmagic', port: 'replay:none' }],
  ...(http === undefined ? {} : { http }),
});

/** Resolves with the error code of a TCP connection attempt, or 'connected'. */
function tryConnect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

describe('the HTTP listener', () => {
  const rigs: HttpRig[] = [];
  const servers: Server[] = [];
  afterEach(async () => {
    for (const rig of rigs.splice(0)) await rig.dispose();
    for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
  });

  it('serves the console at / under a policy that allows no inline script, and its API only to whom it may', async () => {
    const rig = await HttpRig.start(gateway({}));
    rigs.push(rig);
    const page = await rig.get('/', { headers: { 'Accept-Encoding': 'gzip' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self';/);
    expect(page.headers.get('content-security-policy')).not.toMatch(/unsafe-inline/);
    expect(await page.text()).toMatch(/<script type="module" src="\/console\/app.js"><\/script>/);
    const now = await rig.get('/api/now');
    expect(now.status).toBe(200);
    expect(await now.json()).toMatchObject({ gateway: expect.any(String), devices: expect.any(Array) });
    const asJson = { 'Content-Type': 'application/json' };
    expect((await rig.get('/api/now', { method: 'POST', headers: asJson })).status).toBe(405);
    expect((await rig.get('/api/nothing')).status).toBe(404);
    const login = await rig.get('/api/login', { method: 'POST', headers: asJson, body: 'not json' });
    expect(login.status).toBe(400);
    // A page of another site cannot drive a loopback console through a browser on the Pi: not as a
    // form (no JSON), not as a fetch from its own origin.
    const formPost = await rig.get('/api/request/ping', { method: 'POST', body: '{}' });
    expect(formPost.status).toBe(403);
    expect(await formPost.json()).toEqual({
      error: 'send the request as JSON (Content-Type: application/json)',
    });
    const foreign = await rig.get('/api/request/ping', {
      method: 'POST',
      headers: { ...asJson, Origin: 'http://evil.example' },
      body: '{}',
    });
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { error: string }).error).toMatch(
      /requests from http:\/\/evil.example are refused/,
    );
    expect((await rig.get('/api/now', { headers: { Origin: 'http://evil.example' } })).status).toBe(403);
  });

  it("serves the chart library's chunk the build made under /console/chunks/, and no other file", async () => {
    const [chunk] = readdirSync(fileURLToPath(new URL('../../dist/console/chunks/', import.meta.url)));
    expect(chunk).toMatch(/^uPlot\.esm-\w+\.js$/);
    const rig = await HttpRig.start(gateway({}));
    rigs.push(rig);
    const served = await rig.get(`/console/chunks/${chunk}`);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(served.headers.get('content-security-policy')).toMatch(/script-src 'self';/);
    for (const path of ['/console/chunks/nothing.js', '/console/chunks/..%2Fapp.js', '/console/chunks/'])
      expect((await rig.get(path)).status).toBe(404);
    expect((await rig.get(`/console/chunks/${chunk}`, { method: 'POST' })).status).toBe(405);
  });

  it('answers 404 on other paths and 405 on other methods', async () => {
    const rig = await HttpRig.start(gateway({}));
    rigs.push(rig);
    const notFound = await rig.get('/nothing');
    expect(notFound.status).toBe(404);
    expect(await notFound.text()).toBe('not found; this listener serves /metrics, /healthz\n');
    for (const path of ['/metrics/', '/health', '/metrics.json', '/healthz/x'])
      expect((await rig.get(path)).status).toBe(404);
    // A query string does not change the path.
    expect((await rig.get('/metrics?name[]=up')).status).toBe(200);
    expect((await rig.get('/healthz?verbose=1')).status).toBe(200);
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const response = await rig.get('/metrics', { method });
      expect(response.status, method).toBe(405);
      expect(response.headers.get('allow')).toBe('GET, HEAD');
    }
    expect((await rig.get('/healthz', { method: 'POST', body: '{}' })).status).toBe(405);
    const metrics = await rig.get('/metrics');
    expect(metrics.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(metrics.headers.get('cache-control')).toBe('no-store');
    const head = await rig.get('/metrics', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('binds to 127.0.0.1 by default, on port 9464 unless told otherwise', async () => {
    expect(configSchema.parse(gateway({})).http).toMatchObject({ host: '127.0.0.1', port: 9464 });
    const rig = await HttpRig.start(gateway({}));
    rigs.push(rig);
    const address = rig.listener.address;
    expect(address?.host).toBe('127.0.0.1');
    expect(address?.url).toBe(`http://127.0.0.1:${address?.port}`);
    expect(await tryConnect('127.0.0.1', address?.port ?? 0)).toBe('connected');
    // Not reachable on the machine's other addresses.
    const external = Object.values(networkInterfaces())
      .flat()
      .find((item) => item && item.family === 'IPv4' && !item.internal);
    if (external) expect(await tryConnect(external.address, address?.port ?? 0)).toBe('ECONNREFUSED');
  });

  it('fails the start-up naming host:port when the port is taken, and stops what started', async () => {
    const squatter = createServer();
    servers.push(squatter);
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const { port } = squatter.address() as { port: number };
    const rig = HttpRig.create(gateway({ port }), { keepPort: true });
    const failure = await rig.controller.start().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(StartupError);
    expect((failure as StartupError).part).toBe('http');
    expect((failure as StartupError).message).toBe(
      `http failed to start: cannot listen on 127.0.0.1:${port}: the port is already in use (EADDRINUSE): another process listens there; choose another http.port or stop it`,
    );
    // The store was closed: a gateway can open it again at once, and listen once the port is free.
    await new Promise((resolve) => squatter.close(resolve));
    servers.length = 0;
    const again = HttpRig.create(gateway({ port }), { keepPort: true });
    rigs.push(again);
    await again.controller.start();
    expect(again.listener.address?.port).toBe(port);
  });

  it('closes on stop: idle keep-alive connections at once, a request still arriving after a bounded wait', async () => {
    const rig = await HttpRig.start(gateway({}));
    const { port } = rig.listener.address ?? { port: 0 };
    // fetch keeps its connection alive after this.
    expect((await rig.get('/healthz')).status).toBe(200);
    // A client that sent half a request and went quiet.
    const slow: Socket = connect({ host: '127.0.0.1', port });
    await new Promise((resolve) => slow.once('connect', resolve));
    slow.write('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const closed = new Promise((resolve) => slow.once('close', resolve));
    const started = Date.now();
    await rig.dispose();
    await closed;
    const tookMs = Date.now() - started;
    expect(tookMs).toBeLessThan(5000);
    expect(await tryConnect('127.0.0.1', port)).toBe('ECONNREFUSED');
    expect(rig.listener.address).toBeUndefined();
  });

  it('is not there without an http section, nor in a replay', async () => {
    for (const [mode, http] of [
      ['run', undefined],
      ['replay', {}],
    ] as const) {
      const controller = Controller.create(configSchema.parse(gateway(http)), {
        mode,
        clock: new VirtualClock(T0),
        logger: silentLogger(),
        dataDir: ':memory:',
        mqtt: undefined,
        drainMs: 0,
      });
      expect(controller.parts).not.toContain('http');
      expect(controller.service('http')).toBeUndefined();
      controller.store.close();
    }
  });
});
