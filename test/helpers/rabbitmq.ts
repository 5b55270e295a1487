import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { onTestFinished } from 'vitest';
import { freePort } from './mosquitto.js';

/**
 * A real RabbitMQ (Debian's rabbitmq-server 3.10, MQTT 3.1.1 plugin) of one or three clustered nodes
 * on loopback, for tests of what a chain's fleet of gateways meets: per-gateway users and topic
 * permissions, and a node that dies under them.
 *
 * Everything the nodes write lives in one temporary directory, which is also `HOME` so that the
 * Erlang cookie the nodes and `rabbitmqctl` share is ours; the cluster has its own epmd on its own
 * port, so tests and a system RabbitMQ never see each other's nodes. A missing `rabbitmq-server`
 * fails the test with an install hint (never a skip).
 *
 * Mind the MQTT plugin's mapping when writing topic permissions: `/` in an MQTT topic is `.` in the
 * routing key the patterns are matched against (and a `.` inside a level comes out as `/`).
 */
export interface RabbitMqOptions {
  /** 1 (default) or 3 nodes; nodes 2 and 3 join node 1 with `rabbitmqctl join_cluster`. */
  nodes?: 1 | 3;
  /** As for Mosquitto: `test` disposes of the cluster when the calling test finishes. */
  scope?: 'test' | 'manual';
}

export interface RabbitNode {
  /** 1-based, as in the node name. */
  readonly index: number;
  /** `rabbit-<index>@localhost` */
  readonly name: string;
  readonly mqttPort: number;
  /** `mqtt://127.0.0.1:<mqttPort>` */
  readonly url: string;
  readonly amqpPort: number;
  readonly distPort: number;
}

export interface Permissions {
  configure: string;
  write: string;
  read: string;
}

export interface RabbitMq {
  readonly nodes: readonly RabbitNode[];
  /** Every node's MQTT URL, node 1 first. */
  readonly urls: readonly string[];
  readonly dir: string;
  /**
   * The environment under which `rabbitmqctl` (or a script calling it) reaches this cluster:
   * the cookie's `HOME`, the epmd port, and `RABBITMQ_NODENAME` = node 1.
   */
  readonly ctlEnv: NodeJS.ProcessEnv;
  /** How long `start` took, from the first spawn to the last node serving MQTT (joined). */
  readonly startupMs: number;
  /** Runs `rabbitmqctl -q -n <node> ARGS` (node 1 by default); rejects with its output on failure. */
  ctl(args: readonly string[], node?: number): Promise<string>;
  addUser(user: string, password: string, tags?: readonly string[]): Promise<void>;
  /** `set_permissions` on vhost `/`. */
  setPermissions(user: string, permissions: Permissions): Promise<void>;
  /** `set_topic_permissions` on `amq.topic` (the MQTT plugin's exchange), vhost `/`. */
  setTopicPermissions(user: string, write: string, read: string): Promise<void>;
  /** SIGKILL of the node's Erlang VM: no goodbye to its peers or clients. */
  kill(node: number): Promise<void>;
  /** A clean shutdown of one node (SIGTERM). */
  stopNode(node: number): Promise<void>;
  /** Starts a stopped or killed node again with its data; it rejoins the cluster by itself. */
  restart(node: number): Promise<void>;
  /** Kills every node (SIGKILL: nothing to keep) and the cluster's epmd; the directory stays. */
  stop(): Promise<void>;
  /** `stop()`, then removes the directory. Done at the end of the test unless `scope` is `manual`. */
  dispose(): Promise<void>;
  /** The processes the cluster runs now: each node's Erlang VM and the epmd. */
  pids(): number[];
  /** The node's log file (every run of it), e.g. to look for `access_refused`. */
  logs(node?: number): string;
}

/** The broker's default user, which RabbitMQ lets in from loopback only: the tests' administrator. */
export const RABBITMQ_ADMIN = { username: 'guest', password: 'guest' } as const;

const BIN = process.env.RABBITMQ_BIN ?? '/usr/lib/rabbitmq/bin';
const EPMD = existsSync('/usr/bin/epmd') ? '/usr/bin/epmd' : 'epmd';
const INSTALL_HINT = 'apt-get install rabbitmq-server';
// Generous: a node boots in 5-15 s on a busy 2-core machine, and a joining node boots twice.
const READY_TIMEOUT_MS = 90_000;
/** Boots of a node whose port another process took between our probe and its bind. */
const PORT_ATTEMPTS = 3;
const CTL_TIMEOUT_MS = 60_000;
const MAX_OUTPUT_CHARS = 64_000;

/** Beam and epmd processes of every cluster of this worker, killed if the worker dies. */
const orphans = new Set<number>();
process.once('exit', () => {
  for (const pid of orphans) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether a process of this pid still runs. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitExit(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || exited(child)) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Whether an MQTT 3.1.1 CONNECT as the administrator is accepted: the node serves MQTT. */
async function acceptsMqtt(url: string): Promise<boolean> {
  try {
    const client = await connectAsync(url, {
      ...RABBITMQ_ADMIN,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 3000,
      clientId: `ready-probe-${randomBytes(4).toString('hex')}`,
    });
    await client.endAsync(true);
    return true;
  } catch {
    return false;
  }
}

interface NodeState {
  node: RabbitNode;
  env: NodeJS.ProcessEnv;
  readonly dir: string;
  child?: ChildProcess;
  beamPid?: number;
  output: string;
}

export async function startRabbitMq(options: RabbitMqOptions = {}): Promise<RabbitMq> {
  if (!existsSync(join(BIN, 'rabbitmq-server')))
    throw new Error(`rabbitmq-server is not installed at ${BIN} (${INSTALL_HINT})`);
  const began = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'rfid-rabbitmq-'));
  const cookie = join(dir, '.erlang.cookie');
  writeFileSync(cookie, randomBytes(20).toString('hex').toUpperCase(), { mode: 0o400 });
  // An empty env file: /etc/rabbitmq/rabbitmq-env.conf must not rename or move our nodes.
  const envFile = join(dir, 'rabbitmq-env.conf');
  writeFileSync(envFile, '');
  const pluginsFile = join(dir, 'enabled_plugins');
  writeFileSync(pluginsFile, '[rabbitmq_mqtt].\n');
  const epmdPort = await freePort();
  const ctlEnv: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: dir,
    ERL_EPMD_PORT: String(epmdPort),
    RABBITMQ_CONF_ENV_FILE: envFile,
    RABBITMQ_ENABLED_PLUGINS_FILE: pluginsFile,
    RABBITMQ_NODENAME: 'rabbit-1@localhost',
  };

  let epmd: ChildProcess | undefined;
  const states: NodeState[] = [];
  let stopped = false;

  const stopAll = async (): Promise<void> => {
    for (const state of states) {
      if (state.beamPid !== undefined && alive(state.beamPid)) process.kill(state.beamPid, 'SIGKILL');
      else if (state.child !== undefined && !exited(state.child)) state.child.kill('SIGKILL');
    }
    await Promise.all(states.map((state) => waitExit(state.child)));
    for (const state of states) {
      if (state.beamPid !== undefined) orphans.delete(state.beamPid);
    }
    if (epmd !== undefined && !exited(epmd)) epmd.kill('SIGKILL');
    await waitExit(epmd);
    if (epmd?.pid !== undefined) orphans.delete(epmd.pid);
  };
  let disposed = false;
  const dispose = async (): Promise<void> => {
    if (disposed) return;
    disposed = true;
    stopped = true;
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  };

  const ctl = (args: readonly string[], index = 1): Promise<string> => {
    const state = states[index - 1];
    if (state === undefined) return Promise.reject(new Error(`no node ${index}`));
    return new Promise((resolve, reject) => {
      execFile(
        join(BIN, 'rabbitmqctl'),
        ['-q', '-n', state.node.name, ...args],
        { env: ctlEnv, timeout: CTL_TIMEOUT_MS },
        (error, stdout, stderr) => {
          if (error)
            reject(
              new Error(`rabbitmqctl -n ${state.node.name} ${args.join(' ')} failed: ${stderr || stdout}`),
            );
          else resolve(stdout);
        },
      );
    });
  };

  const launch = (state: NodeState): void => {
    const child = spawn(join(BIN, 'rabbitmq-server'), [], {
      env: state.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const onOutput = (chunk: Buffer): void => {
      state.output = (state.output + chunk.toString('utf8')).slice(-MAX_OUTPUT_CHARS);
    };
    child.stdout?.on('data', onOutput);
    child.stderr?.on('data', onOutput);
    child.once('error', (error) => onOutput(Buffer.from(`spawn failed: ${error.message}\n`)));
    state.child = child;
    state.beamPid = undefined;
  };

  /** A node's ports (free now), its config file and its environment. */
  const nodeSetup = async (
    index: number,
    nodeDir: string,
  ): Promise<{ node: RabbitNode; env: NodeJS.ProcessEnv }> => {
    const mqttPort = await freePort();
    const node: RabbitNode = {
      index,
      name: `rabbit-${index}@localhost`,
      mqttPort,
      url: `mqtt://127.0.0.1:${mqttPort}`,
      amqpPort: await freePort(),
      distPort: await freePort(),
    };
    const configFile = join(nodeDir, 'rabbitmq.conf');
    writeFileSync(
      configFile,
      [
        `listeners.tcp.default = 127.0.0.1:${node.amqpPort}`,
        `mqtt.listeners.tcp.default = 127.0.0.1:${node.mqttPort}`,
        // As production should: an MQTT client without credentials is not quietly `guest`.
        'mqtt.allow_anonymous = false',
        'log.file.level = info',
        'log.console = false',
        '',
      ].join('\n'),
    );
    return {
      node,
      env: {
        ...ctlEnv,
        RABBITMQ_NODENAME: node.name,
        RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
        RABBITMQ_NODE_PORT: String(node.amqpPort),
        RABBITMQ_DIST_PORT: String(node.distPort),
        RABBITMQ_CONFIG_FILE: configFile,
        // Absent on purpose: /etc/rabbitmq/advanced.config is not ours.
        RABBITMQ_ADVANCED_CONFIG_FILE: join(nodeDir, 'advanced.config'),
        RABBITMQ_MNESIA_BASE: join(nodeDir, 'mnesia'),
        RABBITMQ_LOG_BASE: join(nodeDir, 'log'),
        RABBITMQ_PID_FILE: join(nodeDir, 'pid'),
        // Distribution on loopback only, like every other listener here.
        RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
      },
    };
  };

  /**
   * Launches a node until it serves MQTT. Another process may take one of its ports between our
   * probe and its bind (tests run side by side): then it boots again, afresh, on new ports.
   */
  const boot = async (state: NodeState): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      launch(state);
      try {
        await ready(state);
        return;
      } catch (error) {
        if (stopped || !state.output.includes('eaddrinuse') || attempt >= PORT_ATTEMPTS) throw error;
        // A node that failed to bind exits by itself; one still up past the deadline is ended here.
        if (state.beamPid !== undefined && alive(state.beamPid)) process.kill(state.beamPid, 'SIGKILL');
        if (state.child !== undefined && !exited(state.child)) state.child.kill('SIGKILL');
        await waitExit(state.child);
        if (state.beamPid !== undefined) orphans.delete(state.beamPid);
        rmSync(join(state.dir, 'mnesia'), { recursive: true, force: true });
        rmSync(join(state.dir, 'pid'), { force: true });
        Object.assign(state, await nodeSetup(state.node.index, state.dir), { output: '' });
      }
    }
  };

  /** Until the node answers an MQTT CONNECT; then its beam's pid is known for `kill`. */
  const ready = async (state: NodeState): Promise<void> => {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    const pidFile = join(state.dir, 'pid');
    for (;;) {
      if (state.beamPid === undefined && existsSync(pidFile)) {
        const pid = Number.parseInt(readFileSync(pidFile, 'utf8').trim(), 10);
        if (Number.isInteger(pid) && pid > 0) {
          state.beamPid = pid;
          orphans.add(pid);
        }
      }
      if (state.child === undefined || exited(state.child))
        throw new Error(`${state.node.name} exited before it served MQTT:\n${state.output}`);
      if (state.beamPid !== undefined && (await acceptsMqtt(state.node.url))) return;
      if (Date.now() > deadline)
        throw new Error(
          `${state.node.name} not serving MQTT on ${state.node.mqttPort} after ${READY_TIMEOUT_MS} ms:\n${state.output}`,
        );
      await sleep(250);
    }
  };

  try {
    // Our own epmd, on loopback and on a port of our own; it outlives no test (see stopAll).
    epmd = spawn(EPMD, ['-port', String(epmdPort), '-address', '127.0.0.1'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    if (epmd.pid !== undefined) orphans.add(epmd.pid);
    await waitForPort(epmdPort, epmd, 'epmd');

    const count = options.nodes ?? 1;
    for (let index = 1; index <= count; index++) {
      const nodeDir = join(dir, `node-${index}`);
      mkdirSync(nodeDir, { recursive: true });
      states.push({ ...(await nodeSetup(index, nodeDir)), dir: nodeDir, output: '' });
    }
    // The nodes boot side by side; the joins go one at a time, as an operator would do them.
    await Promise.all(states.map((state) => boot(state)));
    for (const state of states.slice(1)) {
      const first = states[0] as NodeState;
      await ctl(['stop_app'], state.node.index);
      await ctl(['join_cluster', first.node.name], state.node.index);
      await ctl(['start_app'], state.node.index);
      await ready(state);
    }
  } catch (error) {
    await dispose();
    throw error;
  }
  const startupMs = Date.now() - began;
  if ((options.scope ?? 'test') === 'test') onTestFinished(dispose);

  const stateOf = (index: number): NodeState => {
    const state = states[index - 1];
    if (state === undefined) throw new Error(`no node ${index} (the cluster has ${states.length})`);
    return state;
  };
  const signalNode = async (index: number, signal: NodeJS.Signals): Promise<void> => {
    const state = stateOf(index);
    if (state.beamPid !== undefined && alive(state.beamPid)) process.kill(state.beamPid, signal);
    else if (state.child !== undefined && !exited(state.child)) state.child.kill(signal);
    // The start script waits for its beam, so its exit means the beam is gone.
    await waitExit(state.child);
    if (state.beamPid !== undefined) orphans.delete(state.beamPid);
    rmSync(join(state.dir, 'pid'), { force: true });
  };

  return {
    nodes: states.map((state) => state.node),
    urls: states.map((state) => state.node.url),
    dir,
    ctlEnv,
    startupMs,
    ctl,
    async addUser(user, password, tags = []) {
      await ctl(['add_user', user, password]);
      if (tags.length > 0) await ctl(['set_user_tags', user, ...tags]);
    },
    async setPermissions(user, { configure, write, read }) {
      await ctl(['set_permissions', '-p', '/', user, configure, write, read]);
    },
    async setTopicPermissions(user, write, read) {
      await ctl(['set_topic_permissions', '-p', '/', user, 'amq.topic', write, read]);
    },
    kill: (index) => signalNode(index, 'SIGKILL'),
    stopNode: (index) => signalNode(index, 'SIGTERM'),
    async restart(index) {
      if (stopped) throw new Error('restart() after stop(): start a new cluster');
      const state = stateOf(index);
      await signalNode(index, 'SIGTERM');
      launch(state);
      try {
        await ready(state);
      } catch (error) {
        await signalNode(index, 'SIGKILL');
        throw error;
      }
    },
    async stop() {
      stopped = true;
      await stopAll();
    },
    dispose,
    pids: () =>
      [...states.map((state) => state.beamPid), epmd?.pid].filter(
        (pid): pid is number => pid !== undefined && alive(pid),
      ),
    logs(index = 1) {
      const state = stateOf(index);
      const file = join(state.dir, 'log', `${state.node.name}.log`);
      return existsSync(file) ? readFileSync(file, 'utf8') : state.output;
    },
  };
}

async function waitForPort(port: number, child: ChildProcess, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (exited(child)) throw new Error(`${what} exited at start (port ${port})`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = netConnect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`${what} not listening on ${port}`);
    await sleep(20);
  }
}
