import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { readOwnJson, writeManagedFile } from './files.js';

/**
 * What the commands printed by `install --root DIR` / `uninstall --root DIR` do to the machine DIR
 * stands for, kept in DIR (`ROOT_PLAN_FILE`) and taken as done by the next run into DIR: a second
 * `install --root` of an unchanged DIR has nothing to do, and says so, instead of printing the same
 * `useradd` and `systemctl enable` again. Only the lasting effects are kept (accounts, ownership,
 * enabled and started units); reloads have none. Whether the commands were really run is not known:
 * what DIR's own account files and unit links say counts as well (RootHost).
 */
const planSchema = z.object({
  version: z.literal(1),
  users: z.array(z.string()),
  groups: z.array(z.string()),
  /** Group → users added to it as a supplementary member. */
  members: z.record(z.string(), z.array(z.string())),
  /** Target path → `user:group`. */
  owners: z.record(z.string(), z.string()),
  enabled: z.array(z.string()),
  active: z.array(z.string()),
});

type PlanData = z.infer<typeof planSchema>;

const empty = (): PlanData => ({
  version: 1,
  users: [],
  groups: [],
  members: {},
  owners: {},
  enabled: [],
  active: [],
});

const add = (list: string[], item: string): string[] => (list.includes(item) ? list : [...list, item]);
const without = (list: string[], item: string): string[] => list.filter((entry) => entry !== item);

/** The value of `--flag VALUE` in a command line. */
function option(argv: readonly string[], flag: string): string | undefined {
  const at = argv.indexOf(flag);
  return at < 0 ? undefined : argv[at + 1];
}

export class RootPlan {
  private data: PlanData;
  private unsaved = false;

  /** `path` is where the plan is kept on this host (under DIR). */
  constructor(private readonly path: string) {
    this.data = RootPlan.read(path);
  }

  private static read(path: string): PlanData {
    return (
      readOwnJson(
        path,
        planSchema,
        'is not a --root plan this version understands: remove it and run again',
      ) ?? empty()
    );
  }

  get users(): readonly string[] {
    return this.data.users;
  }

  get groups(): readonly string[] {
    return this.data.groups;
  }

  hasUser(name: string): boolean {
    return this.data.users.includes(name);
  }

  hasGroup(name: string): boolean {
    return this.data.groups.includes(name);
  }

  membersOf(group: string): readonly string[] {
    return this.data.members[group] ?? [];
  }

  /** `user:group` a printed chown gave `target`. */
  ownerOf(target: string): { user: string; group: string } | undefined {
    const owner = this.data.owners[target];
    if (owner === undefined) return undefined;
    const colon = owner.indexOf(':');
    return { user: owner.slice(0, colon), group: owner.slice(colon + 1) };
  }

  isEnabled(unit: string): boolean {
    return this.data.enabled.includes(unit);
  }

  isActive(unit: string): boolean {
    return this.data.active.includes(unit);
  }

  /** Takes a printed command as run, and keeps the plan in DIR when that changed it. */
  apply(argv: readonly string[]): void {
    const before = JSON.stringify(this.data);
    this.data = effectOf(this.data, argv);
    if (JSON.stringify(this.data) !== before) this.unsaved = true;
    this.save();
  }

  /**
   * Writes what is not written yet. Not before the config directory exists (useradd is printed
   * before install creates it), nor after uninstall --purge removed it: the plan goes with it
   * rather than bringing the directory back.
   */
  save(): void {
    if (!this.unsaved || !existsSync(dirname(this.path))) return;
    writeManagedFile(this.path, `${JSON.stringify(this.data, null, 2)}\n`, 0o644);
    this.unsaved = false;
  }
}

/** The lasting effect of one of the commands install and uninstall print. */
function effectOf(plan: PlanData, argv: readonly string[]): PlanData {
  const [command, ...args] = argv;
  const last = args.at(-1) ?? '';
  const next: PlanData = { ...plan, members: { ...plan.members }, owners: { ...plan.owners } };
  const join = (group: string, user: string) => {
    next.members[group] = add(next.members[group] ?? [], user);
  };
  switch (command) {
    case 'groupadd':
      next.groups = add(next.groups, last);
      break;
    case 'useradd': {
      next.users = add(next.users, last);
      if (args.includes('--user-group')) next.groups = add(next.groups, last);
      const groups = option(args, '--groups');
      for (const group of groups?.split(',') ?? []) join(group, last);
      break;
    }
    case 'usermod': {
      const groups = option(args, '--groups');
      for (const group of groups?.split(',') ?? []) join(group, last);
      break;
    }
    case 'userdel':
      next.users = without(next.users, last);
      next.groups = without(next.groups, last);
      for (const [group, users] of Object.entries(next.members)) next.members[group] = without(users, last);
      break;
    case 'gpasswd':
      // gpasswd --delete USER GROUP
      if (args[0] === '--delete' && args[1] !== undefined && args[2] !== undefined)
        next.members[args[2]] = without(next.members[args[2]] ?? [], args[1]);
      break;
    case 'chown':
      if (args[0] !== undefined && last !== args[0]) next.owners[last] = args[0];
      break;
    case 'systemctl': {
      const unit = args[1];
      if (unit === undefined) break;
      if (args[0] === 'enable') next.enabled = add(next.enabled, unit);
      else if (args[0] === 'disable') next.enabled = without(next.enabled, unit);
      else if (args[0] === 'start' || args[0] === 'restart') next.active = add(next.active, unit);
      else if (args[0] === 'stop') next.active = without(next.active, unit);
      break;
    }
    default:
      // udevadm, daemon-reload: nothing that lasts.
      break;
  }
  return next;
}
