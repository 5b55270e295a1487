import { spawn } from 'node:child_process';
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { onTestFinished } from 'vitest';
import { CLI, type CliResult } from '../helpers/cli.js';

/**
 * A directory standing for the root file system of a fresh Raspberry Pi OS, for `--root`. Its
 * /etc/passwd and /etc/group have root and dialout, with the ids of the user running the test, so
 * that the files the test writes are owned as install wants them once the service user is "added"
 * with the same ids (`simulateCommands`): a non-root developer gets the same plan as CI as root.
 */
export function piRoot(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rfid-install-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'etc'));
  writeFileSync(join(dir, 'etc/passwd'), `root:x:${uid()}:${gid()}:root:/root:/bin/bash\n`);
  writeFileSync(join(dir, 'etc/group'), `root:x:${gid()}:\ndialout:x:20:\n`);
  return dir;
}

export const uid = (): number => process.getuid?.() ?? 0;
export const gid = (): number => process.getgid?.() ?? 0;

/** Adds the service user to the root's account files, as `useradd` would have. */
export function addServiceUser(dir: string, options: { inDialout: boolean }): void {
  appendFileSync(
    join(dir, 'etc/passwd'),
    `rfid-gateway:x:${uid()}:${gid()}:rfid-gateway service:/var/lib/rfid-gateway:/usr/sbin/nologin\n`,
  );
  const group = readFileSync(join(dir, 'etc/group'), 'utf8').replace(
    'dialout:x:20:\n',
    options.inDialout ? 'dialout:x:20:rfid-gateway\n' : 'dialout:x:20:\n',
  );
  writeFileSync(join(dir, 'etc/group'), `${group}rfid-gateway:x:${gid()}:\n`);
}

/** What the commands printed by a first `install --root` do to the root: the user, and `systemctl enable`. */
export function simulateCommands(dir: string): void {
  addServiceUser(dir, { inDialout: true });
  const wants = join(dir, 'etc/systemd/system/multi-user.target.wants');
  mkdirSync(wants, { recursive: true });
  symlinkSync('/etc/systemd/system/rfid-gateway.service', join(wants, 'rfid-gateway.service'));
}

/** Every path under `dir` (relative), with its type, mode, size and mtime: equal snapshots = nothing touched. */
export function snapshot(dir: string): Record<string, string> {
  const entries: Record<string, string> = {};
  const walk = (path: string): void => {
    for (const name of readdirSync(path)) {
      const full = join(path, name);
      const stat = statSync(full, { throwIfNoEntry: false });
      const mode = stat ? (stat.mode & 0o7777).toString(8) : 'dangling';
      entries[relative(dir, full)] = stat?.isDirectory()
        ? `dir ${mode}`
        : `file ${mode} ${stat?.size} ${stat?.mtimeMs} ${stat?.isFile() ? readFileSync(full, 'utf8') : ''}`;
      if (stat?.isDirectory()) walk(full);
    }
  };
  walk(dir);
  return entries;
}

/** Files (not directories) under `dir`, relative, sorted. */
export function filesUnder(dir: string): string[] {
  return Object.entries(snapshot(dir))
    .filter(([, entry]) => entry.startsWith('file'))
    .map(([path]) => path)
    .sort();
}

export function modeOf(path: string): string {
  return (statSync(path).mode & 0o7777).toString(8);
}

/** Runs the built command line as another user (root only can), e.g. nobody, to check the root check. */
export function runCliAs(user: { uid: number; gid: number }, args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { uid: user.uid, gid: user.gid, cwd: '/' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => {
      stdout += data.toString();
    });
    child.stderr.on('data', (data: Buffer) => {
      stderr += data.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A unit file as `section.Key` → every value it is given, in order. */
export function parseUnit(text: string): Map<string, string[]> {
  const entries = new Map<string, string[]>();
  let section = '';
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) {
      section = header[1] as string;
      continue;
    }
    const equals = line.indexOf('=');
    const key = `${section}.${line.slice(0, equals)}`;
    entries.set(key, [...(entries.get(key) ?? []), line.slice(equals + 1)]);
  }
  return entries;
}
