import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { type Account, CommandError, type Group, type Host, shellLine } from '../../src/install/host.js';
import { install } from '../../src/install/install.js';
import { detectServiceCommand, type ServiceCommand } from '../../src/install/service-command.js';
import { renderUdevRules } from '../../src/install/udev.js';
import { uninstall } from '../../src/install/uninstall.js';
import { renderUnit } from '../../src/install/unit.js';

/**
 * install and uninstall against a pretend machine that carries out the commands (accounts, owners,
 * systemd's and udev's state), for what `--root` cannot show: that a second run on a real machine
 * runs nothing at all, restarts after an upgrade, and what happens without systemd or udev.
 */
class FakeMachine implements Host {
  readonly dryRun = false;
  readonly root: string;
  readonly ran: string[] = [];
  readonly log: string[] = [];
  users = new Map<string, Account>();
  groups = new Map<string, Group>([['dialout', { gid: 20, members: [] }]]);
  owners = new Map<string, Account>();
  enabled = false;
  active = false;
  systemd = true;
  udev = true;
  failing?: string;

  constructor() {
    this.root = mkdtempSync(join(tmpdir(), 'rfid-install-host-'));
    onTestFinished(() => rmSync(this.root, { recursive: true, force: true }));
  }

  user(name: string) {
    return this.users.get(name);
  }
  group(name: string) {
    return this.groups.get(name);
  }
  owner(target: string) {
    return this.owners.get(target) ?? { uid: 0, gid: 0 };
  }
  systemdRunning() {
    return this.systemd;
  }
  udevRunning() {
    return this.udev;
  }
  unitEnabled() {
    return this.enabled;
  }
  unitActive() {
    return this.active;
  }

  run(argv: readonly string[]): void {
    const line = shellLine(argv);
    this.ran.push(line);
    if (this.failing !== undefined && line.startsWith(this.failing)) throw new CommandError(`${line} failed`);
    const [command, ...args] = argv;
    const last = args.at(-1) as string;
    if (command === 'groupadd') {
      this.groups.set(last, { gid: 20, members: [] });
    } else if (command === 'useradd') {
      this.groups.set('rfid-gateway', this.groups.get('rfid-gateway') ?? { gid: 990, members: [] });
      this.users.set(last, { uid: 990, gid: 990 });
      (this.groups.get('dialout') as Group).members.push(last);
    } else if (command === 'userdel') {
      this.users.delete(last);
    } else if (command === 'chown') {
      const [user, group] = (args[0] as string).split(':') as [string, string];
      this.owners.set(last, {
        uid: this.users.get(user)?.uid ?? 0,
        gid: this.groups.get(group)?.gid ?? 0,
      });
    } else if (line === 'systemctl enable rfid-gateway.service') this.enabled = true;
    else if (line === 'systemctl disable rfid-gateway.service') this.enabled = false;
    else if (line === 'systemctl start rfid-gateway.service') this.active = true;
    else if (line === 'systemctl stop rfid-gateway.service') this.active = false;
  }

  /** Commands run since the last call. */
  take(): string[] {
    return this.ran.splice(0);
  }
}

const SERVICE: ServiceCommand = {
  command: ['/usr/bin/node', '/opt/rfid/dist/cli/main.js'],
  protectHome: 'yes',
  warnings: [],
};

function installOn(machine: FakeMachine, service = SERVICE) {
  return install(machine, { service, log: (line) => machine.log.push(line) });
}

describe('install on a machine', () => {
  it('creates the user, owns the files, reloads udev, enables and starts; a second run runs nothing', () => {
    const machine = new FakeMachine();
    expect(installOn(machine)).toEqual({ changed: 6, unchanged: 0, commands: 8 });
    expect(machine.take()).toEqual([
      "useradd --system --user-group --groups dialout --home-dir /var/lib/rfid-gateway --no-create-home --shell /usr/sbin/nologin --comment 'rfid-gateway service' rfid-gateway",
      'chown root:rfid-gateway /etc/rfid-gateway/gateway.json',
      'chown rfid-gateway:rfid-gateway /var/lib/rfid-gateway',
      'udevadm control --reload',
      'udevadm trigger --subsystem-match=tty',
      'systemctl daemon-reload',
      'systemctl enable rfid-gateway.service',
      'systemctl start rfid-gateway.service',
    ]);
    expect(installOn(machine)).toEqual({ changed: 0, unchanged: 6, commands: 0 });
    expect(machine.take()).toEqual([]);
  });

  it('after an upgrade that changes the unit, reloads systemd and restarts the running service', () => {
    const machine = new FakeMachine();
    installOn(machine);
    machine.take();
    const upgraded = {
      ...SERVICE,
      command: ['/usr/bin/node', '/usr/lib/node_modules/rfid-gateway/dist/cli/main.js'],
    };
    expect(installOn(machine, upgraded)).toEqual({ changed: 1, unchanged: 5, commands: 2 });
    expect(machine.take()).toEqual(['systemctl daemon-reload', 'systemctl restart rfid-gateway.service']);
  });

  it('without systemd or udev running, installs the files and says what to run later', () => {
    const machine = new FakeMachine();
    machine.systemd = false;
    machine.udev = false;
    installOn(machine);
    expect(machine.take().filter((line) => /^(systemctl|udevadm)/.test(line))).toEqual([]);
    expect(machine.log).toContain(
      'note: udevd is not running: the rules apply once it runs (at the next boot)',
    );
    expect(machine.log).toContain(
      'note: systemd is not running (no /run/systemd/system): the service was neither enabled nor started; once systemd runs: systemctl enable --now rfid-gateway.service',
    );
  });

  it('gives the user its own group when a group of its name is left over, and creates dialout when missing', () => {
    const machine = new FakeMachine();
    machine.groups = new Map([['rfid-gateway', { gid: 77, members: [] }]]);
    installOn(machine);
    expect(machine.take().slice(0, 2)).toEqual([
      'groupadd --system dialout',
      "useradd --system --gid rfid-gateway --groups dialout --home-dir /var/lib/rfid-gateway --no-create-home --shell /usr/sbin/nologin --comment 'rfid-gateway service' rfid-gateway",
    ]);
  });

  it('stops at a failing command, and a second run continues from there', () => {
    const machine = new FakeMachine();
    machine.failing = 'systemctl start';
    expect(() => installOn(machine)).toThrow(CommandError);
    machine.take();
    machine.failing = undefined;
    installOn(machine);
    expect(machine.take()).toEqual(['systemctl start rfid-gateway.service']);
  });

  it('warns when the service user could not reach the gateway it would run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rfid-install-home-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, 'pi/dist/cli'), { recursive: true });
    writeFileSync(join(dir, 'pi/dist/cli/main.js'), '');
    chmodSync(join(dir, 'pi'), 0o700);
    const service = detectServiceCommand(process.execPath, join(dir, 'pi/dist/cli/main.js'));
    expect(service.command).toEqual([process.execPath, join(dir, 'pi/dist/cli/main.js')]);
    expect(service.warnings).toEqual([
      `the service user cannot use ${join(dir, 'pi/dist/cli/main.js')} (${join(dir, 'pi')} is not searchable by other users): install the package globally (see README, "Install on a Raspberry Pi")`,
    ]);
    chmodSync(join(dir, 'pi'), 0o755);
    expect(detectServiceCommand(process.execPath, join(dir, 'pi/dist/cli/main.js')).warnings).toEqual([]);
    expect(detectServiceCommand(process.execPath, join(dir, 'none/main.js')).command).toEqual([
      '/usr/bin/env',
      'rfid-gateway',
    ]);
  });

  it('quotes a path with spaces and % in ExecStart, and keeps /home readable for a gateway that lives there', () => {
    const unit = renderUnit({
      command: ['/home/pi/my gateway/node', '/home/pi/100%/main.js'],
      protectHome: 'read-only',
    });
    expect(unit).toContain('\nExecStart="/home/pi/my gateway/node" /home/pi/100%%/main.js run\n');
    expect(unit).toContain('\nProtectHome=read-only\n');
  });
});

describe('uninstall on a machine', () => {
  it('stops and disables the running service before removing its unit; --purge removes the user it made', () => {
    const machine = new FakeMachine();
    installOn(machine);
    machine.take();
    expect(uninstall(machine, { purge: false, log: () => {} })).toEqual({
      changed: 2,
      unchanged: 0,
      commands: 4,
    });
    expect(machine.take()).toEqual([
      'systemctl stop rfid-gateway.service',
      'systemctl disable rfid-gateway.service',
      'systemctl daemon-reload',
      'udevadm control --reload',
    ]);
    expect(uninstall(machine, { purge: true, log: () => {} })).toEqual({
      changed: 2,
      unchanged: 0,
      commands: 1,
    });
    expect(machine.take()).toEqual(['userdel rfid-gateway']);
    expect(uninstall(machine, { purge: true, log: () => {} })).toEqual({
      changed: 0,
      unchanged: 0,
      commands: 0,
    });
  });
});

describe('the copies shipped in systemd/', () => {
  it('are what install writes, with /usr/bin/env rfid-gateway as the command', () => {
    const shipped = (name: string) => readFileSync(new URL(`../../systemd/${name}`, import.meta.url), 'utf8');
    expect(shipped('rfid-gateway.service')).toBe(
      renderUnit({ command: ['/usr/bin/env', 'rfid-gateway'], protectHome: 'yes', shipped: true }),
    );
    expect(shipped('99-rfid-gateway.rules')).toBe(renderUdevRules({ shipped: true }));
  });
});
