/**
 * Who the console answers: the name a request was sent to (DNS rebinding), where it comes from
 * (Origin), the sign-in's session cookie, and answers rather than reset connections.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/app/event-bus.js';
import { configSchema, type GatewayConfigInput } from '../../src/config/schema.js';
import { ConsoleAccess, SESSION_SECONDS } from '../../src/integrations/http/console/access.js';
import { ConsoleLive } from '../../src/integrations/http/console/live.js';
import { answerConsole, type ConsoleParts } from '../../src/integrations/http/console/routes.js';
import { close, createRoutesServer, listen } from '../../src/integrations/http/server.js';
import { silentLogger } from '../../src/observability/logger.js';
import { VirtualClock } from '../../src/shared/clock.js';
import { HttpRig, T0 } from './http-rig.js';

const TOKEN = 'correct-horse-battery-staple';
const JSON_TYPE = { 'Content-Type': 'application/json' };

const gateway = (http: GatewayConfigInput['http']): GatewayConfigInput => ({
  gatewayId: 'gw-console-access',
  readers: [{ id: 'fridge', driver: 'thingmagic', port: 'replay:none' }],
  ...(http === undefined ? {} : { http }),
});

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * One request as a browser on the Pi would send it, with the Host it names (fetch cannot set Host):
 * to 127.0.0.1, whatever the name.
 */
function send(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: false,
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
        );
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

const portOf = (rig: HttpRig) => rig.listener.address?.port ?? 0;
const errorOf = (answer: Answer) => (JSON.parse(answer.body) as { error: string }).error;

describe("the console's access", () => {
  const rigs: HttpRig[] = [];
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const rig of rigs.splice(0)) await rig.dispose();
    for (const step of cleanup.splice(0)) await step();
  });

  it("refuses on an open console a request sent to another name, even from that name's own page (DNS rebinding)", async () => {
    const rig = await HttpRig.start(gateway({}));
    rigs.push(rig);
    const port = portOf(rig);
    const evil = `evil.example:${port}`;
    // evil.example rebound to 127.0.0.1, its page in the Pi's browser: the browser sends its own name.
    const unlock = await send(port, '/api/request/actuators/set', {
      method: 'POST',
      headers: { ...JSON_TYPE, Host: evil, Origin: `http://${evil}` },
      body: JSON.stringify({ actuator: 'lock', value: 'open' }),
    });
    expect(unlock.status).toBe(403);
    expect(errorOf(unlock)).toMatch(new RegExp(`^host evil.example:${port} is refused`));
    for (const path of ['/api/now', '/api/events', '/', '/console/app.js']) {
      const read = await send(port, path, { headers: { Host: evil } });
      expect(read.status, path).toBe(403);
      expect(read.headers['content-type'], path).toBe('application/json; charset=utf-8');
    }
    // A name that resolves to this machine is a name someone else may point elsewhere.
    expect((await send(port, '/api/now', { headers: { Host: `127.0.0.1.nip.io:${port}` } })).status).toBe(
      403,
    );
    // The loopback names, with any port.
    for (const host of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      `LocalHost:${port}`,
      '[::1]:80',
      '127.0.0.2',
    ])
      expect((await send(port, '/api/now', { headers: { Host: host } })).status, host).toBe(200);
    // /metrics and /healthz are not the console's: answered as before.
    expect((await send(port, '/healthz', { headers: { Host: evil } })).status).toBe(200);
  });

  it('refuses a change from origin null', async () => {
    const rig = await HttpRig.start(gateway({}));
    rigs.push(rig);
    const port = portOf(rig);
    const sandboxed = await send(port, '/api/request/ping', {
      method: 'POST',
      headers: { ...JSON_TYPE, Origin: 'null' },
      body: '{}',
    });
    expect(sandboxed.status).toBe(403);
    expect(errorOf(sandboxed)).toBe(
      'requests from origin null are refused: the console answers its own pages only',
    );
  });

  it('opens no stream for HEAD /api/events', async () => {
    const rig = await HttpRig.start(gateway({}));
    rigs.push(rig);
    const port = portOf(rig);
    // The answer ends: the headers a stream would have, no stream left open.
    const head = await send(port, '/api/events', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(head.body).toBe('');
  });

  it('signs in with a session cookie that is not the token, lasts 12 hours, and ends at sign-out', async () => {
    const rig = await HttpRig.start(gateway({ host: '0.0.0.0', console: { token: TOKEN } }));
    rigs.push(rig);
    const port = portOf(rig);
    const login = (token: string) =>
      send(port, '/api/login', { method: 'POST', headers: JSON_TYPE, body: JSON.stringify({ token }) });
    expect((await login('not-the-token-at-all')).status).toBe(401);
    const signedIn = await login(TOKEN);
    expect(signedIn.status).toBe(204);
    const [setCookie] = signedIn.headers['set-cookie'] ?? [];
    expect(setCookie).toMatch(
      new RegExp(`^rfid_console=[\\w.-]+; Path=/; Max-Age=${SESSION_SECONDS}; HttpOnly; SameSite=Strict$`),
    );
    expect(SESSION_SECONDS).toBe(12 * 60 * 60);
    expect(setCookie).not.toContain(TOKEN);
    expect(setCookie).not.toContain(encodeURIComponent(TOKEN));
    const cookie = (setCookie ?? '').split(';', 1)[0] ?? '';
    const withCookie = (value: string) => ({ Cookie: value });
    // The cookie admits the API: reads, the event stream's head, forwarded requests.
    expect((await send(port, '/api/now', { headers: withCookie(cookie) })).status).toBe(200);
    expect((await send(port, '/api/events', { method: 'HEAD', headers: withCookie(cookie) })).status).toBe(
      200,
    );
    const forwarded = await send(port, '/api/request/ping', {
      method: 'POST',
      headers: { ...JSON_TYPE, ...withCookie(cookie) },
      body: '{}',
    });
    expect(forwarded.status).toBe(503);
    expect(errorOf(forwarded)).toMatch(/broker/);
    // The token itself (what the cookie used to be) or a forged value: no session.
    for (const value of [
      `rfid_console=${encodeURIComponent(TOKEN)}`,
      cookie.replace(/.$/, (last) => (last === 'A' ? 'B' : 'A')),
    ]) {
      const refused = await send(port, '/api/now', { headers: withCookie(value) });
      expect(refused.status, value).toBe(401);
      expect(errorOf(refused)).toBe('this console needs its access token');
    }
    // Twelve hours after the sign-in (however much it was used meanwhile) it has ended.
    rig.advance(SESSION_SECONDS * 1000 - 1000);
    expect((await send(port, '/api/now', { headers: withCookie(cookie) })).status).toBe(200);
    rig.advance(1000);
    expect((await send(port, '/api/now', { headers: withCookie(cookie) })).status).toBe(401);
    // Sign-out clears the cookie and ends the session, for a copy of it too.
    const again = ((await login(TOKEN)).headers['set-cookie']?.[0] ?? '').split(';', 1)[0] ?? '';
    expect((await send(port, '/api/now', { headers: withCookie(again) })).status).toBe(200);
    const out = await send(port, '/api/logout', {
      method: 'POST',
      headers: { ...JSON_TYPE, ...withCookie(again) },
    });
    expect(out.status).toBe(204);
    expect(out.headers['set-cookie']).toEqual([
      'rfid_console=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict',
    ]);
    expect((await send(port, '/api/now', { headers: withCookie(again) })).status).toBe(401);
    // A page of another name is not refused for its name: it has no token, and no cookie is sent to it.
    const bearer = { Authorization: `Bearer ${TOKEN}`, Host: `evil.example:${port}` };
    expect((await send(port, '/api/now', { headers: bearer })).status).toBe(200);
    expect((await send(port, '/api/now', { headers: { Host: `evil.example:${port}` } })).status).toBe(401);
  });

  it('takes a cookie that is not valid percent-encoding for no cookie, not for a reason to drop the connection', async () => {
    const rig = await HttpRig.start(gateway({ host: '0.0.0.0', console: { token: TOKEN } }));
    rigs.push(rig);
    for (const value of ['rfid_console=%E0', 'rfid_console=%', 'other=1; rfid_console=%E0%A4']) {
      const refused = await send(portOf(rig), '/api/now', { headers: { Cookie: value } });
      expect(refused.status, value).toBe(401);
      expect(errorOf(refused)).toBe('this console needs its access token');
    }
    // With the token as well, the request is served.
    const both = { Cookie: 'rfid_console=%E0', Authorization: `Bearer ${TOKEN}` };
    expect((await send(portOf(rig), '/api/now', { headers: both })).status).toBe(200);
  });

  it('keeps a session across a restart, and ends every session when the token changes', () => {
    const clock = new VirtualClock(T0);
    const settings = { token: TOKEN };
    const asked = (value: string) => ({ headers: { cookie: `rfid_console=${value}` } }) as never;
    const session = new ConsoleAccess('0.0.0.0', settings, clock).newSession();
    expect(new ConsoleAccess('0.0.0.0', settings, clock).verdict(asked(session))).toBe('allowed');
    const changed = new ConsoleAccess('0.0.0.0', { token: `${TOKEN}-new` }, clock);
    expect(changed.verdict(asked(session))).toBe('token-required');
    // Guesses of any length are compared in full, and wrong.
    for (const guess of ['', 'c', TOKEN.slice(0, -1), `${TOKEN}x`])
      expect(changed.matches(guess)).toBe(false);
    expect(changed.matches(`${TOKEN}-new`)).toBe(true);
  });

  it('answers a forwarded request the router cannot take, or the console cannot sign, with why', async () => {
    const clock = new VirtualClock(T0);
    const config = configSchema.parse(gateway({}));
    const bus = new EventBus({ gateway: 'gw', clock, logger: silentLogger() });
    const live = new ConsoleLive(config, bus);
    let sign: ConsoleParts['sign'];
    const parts: ConsoleParts = {
      access: new ConsoleAccess('127.0.0.1', {}, clock),
      assets: new Map(),
      live,
      now: () => ({}),
      // As the gateway's router answers while it starts or stops.
      requests: { handle: () => Promise.reject(new Error('requests are not served yet')) },
      get sign() {
        return sign;
      },
    };
    const server = createRoutesServer(
      {},
      () => undefined,
      (request, response) => answerConsole(parts, request, response),
    );
    const { port } = await listen(server, '127.0.0.1', 0);
    cleanup.push(async () => {
      live.close();
      await close(server, 100);
    });
    const ping = () => send(port, '/api/request/ping', { method: 'POST', headers: JSON_TYPE, body: '{}' });
    const starting = await ping();
    expect(starting.status).toBe(503);
    expect(errorOf(starting)).toBe('the request was not run: requests are not served yet');
    sign = () => {
      throw new Error('the key file was removed');
    };
    const unsigned = await ping();
    expect(unsigned.status).toBe(500);
    expect(errorOf(unsigned)).toBe('the console could not sign the request: the key file was removed');
  });
});
