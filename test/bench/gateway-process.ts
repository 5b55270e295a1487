/**
 * The built gateway as a child process, for the benchmarks that measure it from outside (pipeline,
 * gateway): spawn it, wait while checking it (and the simulated device) are still alive, stop it.
 */
import { type ChildProcess, spawn } from 'node:child_process';

const STOP_TIMEOUT_MS = 10_000;

export interface GatewayProcess {
  child: ChildProcess;
  /** The last 20 kB of its stderr (pino lines), for error messages. */
  log: () => string;
}

export function spawnGateway(
  cli: string,
  configFile: string,
  nodeArgs: readonly string[] = [],
): GatewayProcess {
  const child = spawn(process.execPath, [...nodeArgs, cli, 'run', '--config', configFile], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    log = (log + text).slice(-20_000);
  });
  return { child, log: () => log };
}

/**
 * Waits `ms`, or until `done()`, polling every `pollMs`; fails early if the gateway exited or the
 * device reported a failure.
 */
export async function holdWhileRunning(
  gateway: GatewayProcess,
  device: { failure: Error | undefined },
  ms: number,
  done: () => boolean,
  pollMs: number,
): Promise<boolean> {
  const { child } = gateway;
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`the gateway exited (${child.exitCode ?? child.signalCode}):\n${gateway.log()}`);
    if (device.failure) throw device.failure;
    if (done()) return true;
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(pollMs, Math.max(1, deadline - performance.now()))),
    );
  }
  return done();
}

/** SIGTERM, then SIGKILL after 10 s; says so when the exit was not clean. */
export async function stopGateway(child: ChildProcess, name: string): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // The device keeps answering, so that the gateway's stop command is acknowledged at once.
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
  if (child.exitCode !== 0)
    console.log(`${name}: the gateway exited with ${child.exitCode ?? child.signalCode}`);
}
