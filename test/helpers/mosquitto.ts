import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';

/**
 * A real Mosquitto 2.0 on free loopback ports with a generated config, for integration tests that
 * run in parallel and need to stop, SIGKILL and restart the broker.
 *
 * `mosquitto`, `mosquitto_passwd` and `openssl` are required: a missing tool fails the test with an
 * install hint (never a skip), in CI and locally alike.
 */
export interface MosquittoOptions {
  /** Broker persistence (`persistence true`, saved every `autosaveIntervalSec` and on a clean stop). */
  persistence?: boolean;
  autosaveIntervalSec?: number;
  /** `max_packet_size`: a client that sends a bigger packet is disconnected (3.1.1 and 5 alike). */
  maxPacketSize?: number;
  /** Mosquitto's per-client queue bound (default 1000 there); 0 = unlimited. */
  maxQueuedMessages?: number;
  /** Username → password; when given, anonymous clients are refused. */
  users?: Record<string, string>;
  /** Lines of the ACL file, e.g. `user gw1`, `topic readwrite rfid/gw1/status`. No inline comments. */
  acl?: string[];
  /** Adds a TLS listener with a CA, a server certificate (127.0.0.1/localhost) and a client certificate. */
  tls?: boolean | { requireClientCertificate: boolean };
  /**
   * The whole mosquitto.conf, instead of one generated from the options above (which are then
   * ignored), given the port its one listener must use and the broker's directory: for testing a
   * config shipped as an example.
   */
  config?: (layout: { port: number; dir: string }) => string;
  /** Fixed plain port (default: a free one). */
  port?: number;
  /** Working directory (default: a new temporary one, removed by `dispose()`). */
  dir?: string;
  /**
   * `test` (default) disposes of the broker when the calling test finishes; `manual` leaves it to
   * the caller (for a broker started in `beforeAll` and disposed of in `afterAll`).
   */
  scope?: 'test' | 'manual';
}

export interface Certificates {
  ca: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

export interface Mosquitto {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  readonly tlsUrl?: string;
  readonly tlsPort?: number;
  readonly ca?: string;
  readonly clientCert?: string;
  readonly clientKey?: string;
  /** SIGTERM and wait: the broker saves its persistence file. The directory stays for `restart()`. */
  stop(): Promise<void>;
  /** Stops it and removes the directory it made. Done at the end of the test unless `scope` is `manual`. */
  dispose(): Promise<void>;
  /** SIGKILL and wait: nothing is saved past the last autosave. The directory stays for `restart()`. */
  kill(): Promise<void>;
  /** Starts it again on the same ports with the same config and persistence directory. */
  restart(): Promise<void>;
  /**
   * SIGSTOP: the broker holds everything (PUBACKs, deliveries) while its connections stay open, as a
   * broker under load would; what clients send meanwhile waits in its sockets until `resume()`.
   */
  pause(): void;
  /** SIGCONT after `pause()`. Stopping, killing or restarting a paused broker resumes it first. */
  resume(): void;
  /** Everything the broker logged so far (all its runs). */
  logs(): string;
}

// Debian installs it in /usr/sbin, which is not on a normal user's PATH.
const MOSQUITTO =
  process.env.MOSQUITTO ?? (existsSync('/usr/sbin/mosquitto') ? '/usr/sbin/mosquitto' : 'mosquitto');
const READY_TIMEOUT_MS = 10_000;
const PORT_ATTEMPTS = 5;
const MAX_LOG_CHARS = 256_000;
const INSTALL_HINT = 'apt-get install mosquitto mosquitto-clients openssl';

const running = new Set<ChildProcess>();
// A crashed test worker must not leave brokers behind holding ports.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function runTool(tool: string, args: string[]): void {
  try {
    execFileSync(tool, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: Buffer };
    if (failure.code === 'ENOENT') throw new Error(`${tool} is not installed (${INSTALL_HINT})`);
    throw new Error(`${tool} ${args.join(' ')} failed: ${failure.stderr?.toString() ?? failure.message}`);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A CA, a server certificate valid for 127.0.0.1 and localhost, and a client certificate, all
 * signed by that CA, written to `dir` with `prefix`. Call it twice for an unrelated (untrusted) CA.
 */
export function makeCertificates(dir: string, prefix = ''): Certificates {
  const file = (name: string): string => join(dir, `${prefix}${name}`);
  const files: Certificates = {
    ca: file('ca.crt'),
    caKey: file('ca.key'),
    serverCert: file('server.crt'),
    serverKey: file('server.key'),
    clientCert: file('client.crt'),
    clientKey: file('client.key'),
  };
  const ecKey = (path: string): void =>
    runTool('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path]);
  ecKey(files.caKey);
  runTool('openssl', [
    'req',
    '-x509',
    '-new',
    '-key',
    files.caKey,
    '-subj',
    `/CN=rfid-gateway test CA ${prefix}`,
    '-days',
    '2',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-out',
    files.ca,
  ]);
  const sign = (key: string, cert: string, cn: string, extensions: string): void => {
    ecKey(key);
    const csr = `${cert}.csr`;
    const ext = `${cert}.ext`;
    runTool('openssl', ['req', '-new', '-key', key, '-subj', `/CN=${cn}`, '-out', csr]);
    writeFileSync(ext, extensions);
    runTool('openssl', [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      files.ca,
      '-CAkey',
      files.caKey,
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      ext,
      '-out',
      cert,
    ]);
  };
  sign(
    files.serverKey,
    files.serverCert,
    'localhost',
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n',
  );
  sign(
    files.clientKey,
    files.clientCert,
    'rfid-gateway-client',
    'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n',
  );
  return files;
}

interface Layout {
  dir: string;
  port: number;
  tlsPort?: number;
  certificates?: Certificates;
}

function writeConfig(options: MosquittoOptions, layout: Layout): string {
  const { dir } = layout;
  if (options.config !== undefined) {
    const own = join(dir, 'mosquitto.conf');
    writeFileSync(own, options.config({ port: layout.port, dir }));
    return own;
  }
  const lines: string[] = [];
  // As root, Mosquitto drops to the `mosquitto` user, which cannot read a 0700 temporary directory.
  if (process.getuid?.() === 0) lines.push('user root');
  lines.push(
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
    'log_type information',
  );
  lines.push('connection_messages true', 'log_timestamp_format %H:%M:%S');
  const users = options.users ?? {};
  const names = Object.keys(users);
  if (names.length > 0) {
    const passwordFile = join(dir, 'passwords');
    names.forEach((name, index) => {
      // -c creates the file; later users are appended.
      runTool('mosquitto_passwd', [
        ...(index === 0 ? ['-c'] : []),
        '-b',
        passwordFile,
        name,
        users[name] ?? '',
      ]);
    });
    lines.push('allow_anonymous false', `password_file ${passwordFile}`);
  } else {
    lines.push('allow_anonymous true');
  }
  if (options.acl !== undefined) {
    const aclFile = join(dir, 'acl');
    writeFileSync(aclFile, `${options.acl.join('\n')}\n`);
    lines.push(`acl_file ${aclFile}`);
  }
  if (options.persistence === true) {
    const data = join(dir, 'data');
    mkdirSync(data, { recursive: true });
    lines.push(
      'persistence true',
      `persistence_location ${data}/`,
      `autosave_interval ${options.autosaveIntervalSec ?? 1}`,
    );
  }
  if (options.maxQueuedMessages !== undefined) lines.push(`max_queued_messages ${options.maxQueuedMessages}`);
  if (options.maxPacketSize !== undefined) lines.push(`max_packet_size ${options.maxPacketSize}`);
  lines.push(`listener ${layout.port} 127.0.0.1`);
  if (layout.tlsPort !== undefined && layout.certificates !== undefined) {
    const requireClient = typeof options.tls === 'object' && options.tls.requireClientCertificate;
    lines.push(
      `listener ${layout.tlsPort} 127.0.0.1`,
      `cafile ${layout.certificates.ca}`,
      `certfile ${layout.certificates.serverCert}`,
      `keyfile ${layout.certificates.serverKey}`,
      `require_certificate ${requireClient ? 'true' : 'false'}`,
    );
  }
  const configFile = join(dir, 'mosquitto.conf');
  writeFileSync(configFile, `${lines.join('\n')}\n`);
  return configFile;
}

/** Whether something accepts TCP connections on this loopback port now. */
export function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

class PortInUse extends Error {}

/** Spawns the broker and resolves once every listener accepts TCP connections. */
async function launch(
  configFile: string,
  ports: number[],
  log: (text: string) => void,
): Promise<ChildProcess> {
  const child = spawn(MOSQUITTO, ['-c', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let exited: Error | undefined;
  const onOutput = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    output += text;
    log(text);
  };
  child.stdout?.on('data', onOutput);
  child.stderr?.on('data', onOutput);
  child.once('error', (error: NodeJS.ErrnoException) => {
    exited =
      error.code === 'ENOENT'
        ? new Error(`mosquitto is not installed at ${MOSQUITTO} (${INSTALL_HINT})`)
        : error;
  });
  child.once('exit', (code, signal) => {
    running.delete(child);
    exited ??= output.includes('Address already in use')
      ? new PortInUse(output)
      : new Error(`mosquitto exited (${code ?? signal}) before it was ready:\n${output}`);
  });
  running.add(child);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (const port of ports) {
    for (;;) {
      if (exited !== undefined) throw exited;
      if (await acceptsConnections(port)) break;
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(
          `mosquitto not accepting connections on ${port} after ${READY_TIMEOUT_MS} ms:\n${output}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  return child;
}

function terminate(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

export async function startMosquitto(options: MosquittoOptions = {}): Promise<Mosquitto> {
  const ownsDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'rfid-mosquitto-'));
  mkdirSync(dir, { recursive: true });
  const certificates = options.tls ? makeCertificates(dir) : undefined;
  let logText = '';
  const log = (text: string): void => {
    logText = (logText + text).slice(-MAX_LOG_CHARS);
  };

  let layout: Layout | undefined;
  let configFile = '';
  let child: ChildProcess | undefined;
  for (let attempt = 1; child === undefined; attempt++) {
    layout = {
      dir,
      port: options.port ?? (await freePort()),
      ...(certificates ? { tlsPort: await freePort(), certificates } : {}),
    };
    configFile = writeConfig(options, layout);
    try {
      child = await launch(configFile, portsOf(layout), log);
    } catch (error) {
      // Another process took the port between our probe and the broker's bind: pick new ones.
      if (!(error instanceof PortInUse) || options.port !== undefined || attempt >= PORT_ATTEMPTS)
        throw error;
    }
  }
  const fixed = layout as Layout;

  let paused = false;
  const resume = (): void => {
    if (!paused) return;
    paused = false;
    child?.kill('SIGCONT');
  };
  // A stopped process acts on SIGTERM only once it runs again.
  const stop = (): Promise<void> => {
    resume();
    return terminate(child, 'SIGTERM');
  };
  let disposed = false;
  const dispose = async (): Promise<void> => {
    if (disposed) return;
    disposed = true;
    await stop();
    if (ownsDir) rmSync(dir, { recursive: true, force: true });
  };
  if ((options.scope ?? 'test') === 'test') onTestFinished(dispose);

  return {
    url: `mqtt://127.0.0.1:${fixed.port}`,
    port: fixed.port,
    dir,
    ...(fixed.tlsPort !== undefined && certificates
      ? {
          tlsUrl: `mqtts://127.0.0.1:${fixed.tlsPort}`,
          tlsPort: fixed.tlsPort,
          ca: certificates.ca,
          clientCert: certificates.clientCert,
          clientKey: certificates.clientKey,
        }
      : {}),
    stop,
    dispose,
    async kill() {
      resume();
      await terminate(child, 'SIGKILL');
    },
    pause() {
      if (paused || child === undefined || child.exitCode !== null || child.signalCode !== null) return;
      paused = true;
      child.kill('SIGSTOP');
    },
    resume,
    async restart() {
      if (disposed) throw new Error('restart() after dispose(): the broker directory is gone');
      await stop();
      // The old socket may linger briefly; the same ports are required, so retry rather than move.
      for (let attempt = 1; ; attempt++) {
        try {
          child = await launch(configFile, portsOf(fixed), log);
          return;
        } catch (error) {
          if (!(error instanceof PortInUse) || attempt >= PORT_ATTEMPTS) throw error;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
    },
    logs: () => logText,
  };
}

function portsOf(layout: Layout): number[] {
  return layout.tlsPort === undefined ? [layout.port] : [layout.port, layout.tlsPort];
}
