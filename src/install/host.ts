import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT_PLAN_FILE, SYSTEMD_RUNNING_MARKER, UDEV_CONTROL_SOCKET, UNIT_WANTS_LINK } from './layout.js';
import { RootPlan } from './root-plan.js';

export interface Account {
  uid: number;
  gid: number;
}

export interface Group {
  gid: number;
  /** Supplementary members (the fourth field of /etc/group). */
  members: string[];
}

/**
 * The machine install works on. Everything that changes it outside the files install writes
 * (accounts, ownership, udev, systemd) goes through `run`, so that with `--root DIR` nothing touches
 * the host: `RootHost` reads DIR's own account files and prints the commands instead of running them.
 */
export interface Host {
  /** `/`, or the `--root` directory every target path is written under. */
  readonly root: string;
  /** True when `run` only prints (`--root`). */
  readonly dryRun: boolean;
  user(name: string): Account | undefined;
  group(name: string): Group | undefined;
  /** Owner of a path of the target (`/var/lib/rfid-gateway`), or undefined when it does not exist. */
  owner(target: string): Account | undefined;
  systemdRunning(): boolean;
  udevRunning(): boolean;
  unitEnabled(unit: string): boolean;
  unitActive(unit: string): boolean;
  /** Runs a command that changes the machine (or, dry, prints it); throws if it fails. */
  run(argv: readonly string[]): void;
}

/** A path of the target machine on this host: itself, or under `--root`. */
export function onHost(host: Host, target: string): string {
  return host.root === '/' ? target : join(host.root, target);
}

/** A command line as it would be typed into a shell (for the printed plan and error messages). */
export function shellLine(argv: readonly string[]): string {
  return argv
    .map((arg) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`))
    .join(' ');
}

/** `name:x:uid:gid:...` lines (passwd) or `name:x:gid:members` lines (group), as getent prints them. */
function parseDatabase(text: string, name: string): string[] | undefined {
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    if (fields[0] === name && fields.length >= 4) return fields;
  }
  return undefined;
}

function accountOf(fields: string[] | undefined): Account | undefined {
  if (fields === undefined) return undefined;
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

function groupOf(fields: string[] | undefined): Group | undefined {
  if (fields === undefined) return undefined;
  const members = (fields[3] ?? '').split(',').filter((member) => member !== '');
  return { gid: Number(fields[2]), members };
}

function ownerOf(path: string): Account | undefined {
  try {
    const stat = statSync(path);
    return { uid: stat.uid, gid: stat.gid };
  } catch {
    return undefined;
  }
}

export class CommandError extends Error {}

/** The machine this process runs on (install as root, without `--root`). */
export class SystemHost implements Host {
  readonly root = '/';
  readonly dryRun = false;

  constructor(private readonly log: (line: string) => void) {}

  private query(argv: string[]): { status: number | null; stdout: string } {
    const result = spawnSync(argv[0] as string, argv.slice(1), { encoding: 'utf8' });
    return { status: result.error ? null : result.status, stdout: result.stdout ?? '' };
  }

  user(name: string): Account | undefined {
    const result = this.query(['getent', 'passwd', name]);
    return result.status === 0 ? accountOf(parseDatabase(result.stdout, name)) : undefined;
  }

  group(name: string): Group | undefined {
    const result = this.query(['getent', 'group', name]);
    return result.status === 0 ? groupOf(parseDatabase(result.stdout, name)) : undefined;
  }

  owner(target: string): Account | undefined {
    return ownerOf(target);
  }

  systemdRunning(): boolean {
    return existsSync(SYSTEMD_RUNNING_MARKER);
  }

  udevRunning(): boolean {
    return existsSync(UDEV_CONTROL_SOCKET);
  }

  unitEnabled(unit: string): boolean {
    return this.query(['systemctl', 'is-enabled', '--quiet', unit]).status === 0;
  }

  unitActive(unit: string): boolean {
    return this.query(['systemctl', 'is-active', '--quiet', unit]).status === 0;
  }

  run(argv: readonly string[]): void {
    this.log(`run: ${shellLine(argv)}`);
    const result = spawnSync(argv[0] as string, argv.slice(1), {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (result.error || result.status !== 0) {
      const why = result.error?.message ?? `exit ${result.status ?? result.signal}`;
      const stderr = (result.stderr ?? '').trim();
      throw new CommandError(`${shellLine(argv)} failed (${why})${stderr ? `: ${stderr}` : ''}`);
    }
  }
}

/**
 * A machine whose root file system is the directory `root` (`--root DIR`): accounts come from
 * DIR/etc/passwd and DIR/etc/group, "enabled" is the unit's link in DIR, and commands are printed,
 * never run. It plans for a machine booted with systemd and udev, which is what the unit is for; a
 * unit counts as running exactly when it is enabled, since nothing here can ask a service manager.
 *
 * What the commands printed into DIR before would do is kept in DIR (RootPlan) and taken as done:
 * an account they add is there (with a negative id, since none is known yet), an owner they set is
 * set, a unit they enable is enabled and running. So a second run into DIR prints only what is left.
 */
export class RootHost implements Host {
  readonly dryRun = true;
  private readonly plan: RootPlan;

  constructor(
    readonly root: string,
    private readonly log: (line: string) => void,
  ) {
    this.plan = new RootPlan(join(root, ROOT_PLAN_FILE));
  }

  private database(file: string): string {
    try {
      return readFileSync(join(this.root, file), 'utf8');
    } catch {
      return '';
    }
  }

  user(name: string): Account | undefined {
    const account = accountOf(parseDatabase(this.database('etc/passwd'), name));
    if (account !== undefined || !this.plan.hasUser(name)) return account;
    // useradd --user-group: its primary group is its own.
    return { uid: plannedId(this.plan.users, name), gid: this.group(name)?.gid ?? Number.NaN };
  }

  group(name: string): Group | undefined {
    const group = groupOf(parseDatabase(this.database('etc/group'), name));
    const planned = this.plan.membersOf(name);
    if (group !== undefined) return { ...group, members: [...new Set([...group.members, ...planned])] };
    if (!this.plan.hasGroup(name)) return undefined;
    return { gid: plannedId(this.plan.groups, name), members: [...planned] };
  }

  owner(target: string): Account | undefined {
    const planned = this.plan.ownerOf(target);
    const uid = planned && this.user(planned.user)?.uid;
    const gid = planned && this.group(planned.group)?.gid;
    if (uid !== undefined && gid !== undefined) return { uid, gid };
    return ownerOf(onHost(this, target));
  }

  systemdRunning(): boolean {
    return true;
  }

  udevRunning(): boolean {
    return true;
  }

  unitEnabled(unit: string): boolean {
    if (this.plan.isEnabled(unit)) return true;
    try {
      lstatSync(onHost(this, UNIT_WANTS_LINK));
      return true;
    } catch {
      return false;
    }
  }

  unitActive(unit: string): boolean {
    return this.plan.isActive(unit) || this.unitEnabled(unit);
  }

  run(argv: readonly string[]): void {
    this.log(`would run: ${shellLine(argv)}`);
    this.plan.apply(argv);
  }

  /** Keeps in DIR what the commands printed last would do (once DIR has the config directory). */
  finish(): void {
    this.plan.save();
  }
}

/** A negative id for an account only the plan has, distinct per account. */
function plannedId(names: readonly string[], name: string): number {
  return -1 - names.indexOf(name);
}
