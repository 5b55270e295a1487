import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { engineChecks } from '../../src/app/config-checks.js';
import { hostFor } from '../../src/cli/install-command.js';
import { loadConfigFile } from '../../src/config/load.js';
import { CLI, runCli } from '../helpers/cli.js';
import {
  addServiceUser,
  filesUnder,
  modeOf,
  parseUnit,
  piRoot,
  runCliAs,
  simulateCommands,
  snapshot,
} from './install-root.js';

/**
 * `rfid-gateway install --root DIR` / `uninstall --root DIR` through the built command line (npm test
 * builds first): the files it writes, checked against what the deployment issue asks for, and the
 * commands it would run. Nothing here touches the machine the tests run on.
 */

const CONFIG = 'etc/rfid-gateway/gateway.json';
const STATE = 'etc/rfid-gateway/install-state.json';
const UNIT = 'etc/systemd/system/rfid-gateway.service';
const RULES = 'etc/udev/rules.d/99-rfid-gateway.rules';
const PLAN = 'etc/rfid-gateway/install-root-plan.json';
const USERADD =
  "would run: useradd --system --user-group --groups dialout --home-dir /var/lib/rfid-gateway --no-create-home --shell /usr/sbin/nologin --comment 'rfid-gateway service' rfid-gateway";

/**
 * What install prints, without the warning about where the package itself lives: that depends on
 * the checkout this test runs from (a private temporary directory in CI), not on the install.
 */
/** Whether every user may reach `path`: search on each directory above it, read on itself. */
function readableByEveryone(path: string): boolean {
  let current = resolve(path);
  for (;;) {
    if ((statSync(current).mode & 0o005) !== 0o005) return false;
    const parent = dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}

const lines = (text: string): string[] =>
  text
    .trimEnd()
    .split('\n')
    .filter((line) => !line.startsWith('warning: the service user cannot use '));
const commandsOf = (stdout: string): string[] =>
  lines(stdout).filter((line) => line.startsWith('would run: '));

async function installInto(dir: string, ...args: string[]) {
  const result = await runCli(['install', '--root', dir, ...args]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result;
}

describe('rfid-gateway install --root', () => {
  it('writes every file of a fresh install under DIR and prints the commands it would run', async () => {
    const dir = piRoot();
    const { stdout } = await installInto(dir);
    expect(lines(stdout)).toEqual([
      `install into ${dir}: files are written there, commands only printed`,
      USERADD,
      `created   ${dir}/etc/rfid-gateway`,
      `created   ${dir}/${CONFIG} (template fridge, gatewayId fridge-gw: edit its ports and mqtt.url)`,
      'would run: chown root:rfid-gateway /etc/rfid-gateway/gateway.json',
      `created   ${dir}/var/lib/rfid-gateway`,
      'would run: chown rfid-gateway:rfid-gateway /var/lib/rfid-gateway',
      `created   ${dir}/${STATE}`,
      `created   ${dir}/${UNIT}`,
      `created   ${dir}/${RULES}`,
      'would run: udevadm control --reload',
      'would run: udevadm trigger --subsystem-match=tty',
      'would run: systemctl daemon-reload',
      'would run: systemctl enable rfid-gateway.service',
      'would run: systemctl start rfid-gateway.service',
      'install: 6 changed; 8 command(s) would run (with --root nothing runs)',
    ]);
    // …and, for the next run into DIR, what the printed commands would do.
    expect(filesUnder(dir)).toEqual(['etc/group', 'etc/passwd', CONFIG, STATE, UNIT, RULES, PLAN].sort());
    expect(existsSync(join(dir, 'var/lib/rfid-gateway'))).toBe(true);
    // The config may name customers and cards: root's, readable by the service's group only.
    expect(modeOf(join(dir, CONFIG))).toBe('640');
    expect(modeOf(join(dir, 'var/lib/rfid-gateway'))).toBe('750');
    expect(modeOf(join(dir, 'var/lib'))).toBe('755');
    expect(modeOf(join(dir, UNIT))).toBe('644');
    expect(modeOf(join(dir, RULES))).toBe('644');
    expect(JSON.parse(readFileSync(join(dir, STATE), 'utf8'))).toEqual({
      version: 1,
      createdUser: true,
      addedToSerialGroup: false,
      createdConfig: true,
      template: 'fridge',
    });
  });

  it('writes a hardened unit that runs this node and this package, and puts the actuators into their safe state after every stop', async () => {
    const dir = piRoot();
    await installInto(dir);
    const unit = parseUnit(readFileSync(join(dir, UNIT), 'utf8'));
    const expected: Record<string, string[]> = {
      'Unit.After': [
        'network-online.target',
        'time-sync.target',
        'modprobe@usbserial.service modprobe@cdc_acm.service',
      ],
      'Unit.Wants': [
        'network-online.target',
        'time-sync.target',
        'modprobe@usbserial.service modprobe@cdc_acm.service',
      ],
      'Service.Type': ['simple'],
      'Service.User': ['rfid-gateway'],
      'Service.Group': ['rfid-gateway'],
      'Service.SupplementaryGroups': ['dialout'],
      'Service.Environment': [
        'RFID_GATEWAY_CONFIG=/etc/rfid-gateway/gateway.json',
        '"NODE_OPTIONS=--v8-pool-size=1 --max-semi-space-size=1"',
      ],
      'Service.ExecStart': [`${process.execPath} ${CLI} run`],
      'Service.ExecStopPost': [`${process.execPath} ${CLI} actuate --safe --timeout 5`],
      'Service.TimeoutStopSec': ['20'],
      'Service.Restart': ['on-failure'],
      'Service.StateDirectory': ['rfid-gateway'],
      'Service.NoNewPrivileges': ['yes'],
      'Service.CapabilityBoundingSet': [''],
      'Service.ProtectSystem': ['strict'],
      'Service.ProtectHome': ['yes'],
      'Service.PrivateTmp': ['yes'],
      'Service.DevicePolicy': ['closed'],
      'Service.DeviceAllow': ['char-ttyUSB rw', 'char-ttyACM rw', 'char-ttyAMA rw', 'char-ttyS rw'],
      'Service.RestrictAddressFamilies': ['AF_UNIX AF_INET AF_INET6 AF_NETLINK'],
      'Service.ProtectKernelTunables': ['yes'],
      'Service.ProtectKernelModules': ['yes'],
      'Service.ProtectKernelLogs': ['yes'],
      'Service.LockPersonality': ['yes'],
      'Service.SystemCallArchitectures': ['native'],
      'Install.WantedBy': ['multi-user.target'],
    };
    for (const [key, values] of Object.entries(expected)) expect([key, unit.get(key)]).toEqual([key, values]);
    // V8's JIT needs writable and executable memory; PrivateDevices= would hide the serial ports; the
    // state directory is the only writable path (no ReadWritePaths= beside it).
    for (const absent of [
      'MemoryDenyWriteExecute',
      'PrivateDevices',
      'ReadWritePaths',
      'AmbientCapabilities',
    ]) {
      expect(unit.has(`Service.${absent}`)).toBe(false);
    }
  });

  it('writes udev rules that give the usual USB-serial adapters to dialout with stable names', async () => {
    const dir = piRoot();
    await installInto(dir);
    const rules = lines(readFileSync(join(dir, RULES), 'utf8')).filter(
      (line) => line !== '' && !line.startsWith('#'),
    );
    const adapters = [
      ['0403', '6001', 'ftdi'],
      ['0403', '6015', 'ftdi'],
      ['1a86', '7523', 'ch340'],
      ['10c4', 'ea60', 'cp210x'],
    ];
    const expected = [
      'ACTION=="remove", GOTO="rfid_gateway_end"',
      'SUBSYSTEM!="tty", GOTO="rfid_gateway_end"',
      ...adapters.flatMap(([vendor, product, name]) => {
        const match = `SUBSYSTEMS=="usb", ATTRS{idVendor}=="${vendor}", ATTRS{idProduct}=="${product}"`;
        return [
          `${match}, GROUP="dialout", MODE="0660", SYMLINK+="rfid/${name}-port-$id"`,
          `${match}, ATTRS{serial}=="?*", SYMLINK+="rfid/${name}-$attr{serial}"`,
        ];
      }),
      'LABEL="rfid_gateway_end"',
    ];
    expect(rules).toEqual(expected);
  });

  it.each([
    ['fridge', 'fridge-gw'],
    ['shelf', 'shelf-gw'],
    ['door', 'exit-gw'],
  ])('writes the %s template as a config the gateway accepts', async (template, gatewayId) => {
    const dir = piRoot();
    const { stdout } = await installInto(dir, '--config-template', template);
    expect(stdout).toContain(
      `created   ${dir}/${CONFIG} (template ${template}, gatewayId ${gatewayId}: edit its ports and mqtt.url)`,
    );
    const config = loadConfigFile(join(dir, CONFIG), engineChecks);
    expect(config.gatewayId).toBe(gatewayId);
    expect(config.dataDir).toBe('/var/lib/rfid-gateway');
    expect(config.catalogFile).toBeUndefined();
    expect(config.customers).toEqual([]);
    expect(config.mqtt?.url).toBe('mqtt://127.0.0.1:1883');
    const shape = {
      fridge: () => {
        expect(config.readers.map((reader) => [reader.id, reader.port])).toEqual([
          ['fridge', '/dev/ttyAMA0'],
          ['badge', '/dev/serial/by-id/usb-FTDI_FT231X-if00-port0'],
        ]);
        expect(config.cabinets.map((cabinet) => cabinet.lock)).toEqual(['lock']);
        expect(config.actuators.map((actuator) => [actuator.id, actuator.safeState])).toEqual([
          ['lock', 'closed'],
        ]);
      },
      shelf: () => {
        expect(config.engagement?.zones).toEqual(['shelf-top', 'shelf-bottom']);
        expect(config.actuators).toEqual([]);
      },
      door: () => {
        expect(config.exitMonitor?.doors).toEqual(['front']);
        expect(config.actuators.map((actuator) => [actuator.id, actuator.safeState])).toEqual([
          ['buzzer', 'off'],
          ['light', 'off'],
        ]);
      },
    }[template];
    shape?.();
    expect(JSON.parse(readFileSync(join(dir, STATE), 'utf8')).template).toBe(template);
  });

  it('names the gateway after the machine when its host name is a valid gateway id', async () => {
    const dir = piRoot();
    writeFileSync(join(dir, 'etc/hostname'), 'kiosk-7\n');
    const { stdout } = await installInto(dir, '--config-template', 'shelf');
    expect(stdout).toContain(
      '(template shelf, gatewayId kiosk-7 from /etc/hostname: edit its ports and mqtt.url)',
    );
    expect(loadConfigFile(join(dir, CONFIG), engineChecks).gatewayId).toBe('kiosk-7');
  });

  it('never overwrites an existing config, and warns when it would not start', async () => {
    const dir = piRoot();
    mkdirSync(join(dir, 'etc/rfid-gateway'), { recursive: true });
    const mine =
      '{ "gatewayId": "mine", "readers": [{ "id": "r", "driver": "thingmagic", "port": "/dev/ttyUSB0" }] }\n';
    writeFileSync(join(dir, CONFIG), mine);
    const { stdout } = await installInto(dir, '--config-template', 'door');
    expect(stdout).toContain(
      `kept      ${dir}/${CONFIG} (an existing config is never overwritten; --config-template door not applied)`,
    );
    expect(lines(stdout).filter((line) => line.startsWith('warning'))).toEqual([]);
    expect(commandsOf(stdout)).not.toContain(
      'would run: chown root:rfid-gateway /etc/rfid-gateway/gateway.json',
    );
    expect(readFileSync(join(dir, CONFIG), 'utf8')).toBe(mine);
    expect(JSON.parse(readFileSync(join(dir, STATE), 'utf8'))).toMatchObject({
      createdConfig: false,
      template: null,
    });

    writeFileSync(join(dir, CONFIG), '{ "readers": [{ "id": "r", "driver": "nonsense" }] }');
    const broken = await installInto(dir);
    expect(broken.stdout).toContain(
      `warning: ${dir}/${CONFIG} has 2 problem(s) and the service will not start with it: rfid-gateway check-config /etc/rfid-gateway/gateway.json`,
    );
    expect(readFileSync(join(dir, CONFIG), 'utf8')).toBe(
      '{ "readers": [{ "id": "r", "driver": "nonsense" }] }',
    );
  });

  it('changes nothing the second time, runs nothing, and says so', async () => {
    const dir = piRoot();
    await installInto(dir);
    const before = snapshot(dir);
    const again = await installInto(dir);
    expect(snapshot(dir)).toEqual(before);
    // The commands the first run printed count as run: none is printed again.
    expect(lines(again.stdout)).toEqual([
      `install into ${dir}: files are written there, commands only printed`,
      `unchanged ${dir}/etc/rfid-gateway`,
      `kept      ${dir}/${CONFIG} (an existing config is never overwritten)`,
      `unchanged ${dir}/var/lib/rfid-gateway`,
      `unchanged ${dir}/${STATE}`,
      `unchanged ${dir}/${UNIT}`,
      `unchanged ${dir}/${RULES}`,
      'install: nothing to change, already installed (6 up to date; commands printed by earlier --root runs count as run)',
    ]);

    // Once they have really run (the user exists, the unit is enabled), there is nothing to do either.
    simulateCommands(dir);
    const settled = snapshot(dir);
    const third = await installInto(dir);
    expect(commandsOf(third.stdout)).toEqual([]);
    expect(lines(third.stdout).at(-1)).toMatch(
      /^install: nothing to change, already installed \(6 up to date/,
    );
    expect(snapshot(dir)).toEqual(settled);
  });

  it('prints again what an uninstall undid, and only that', async () => {
    const dir = piRoot();
    await installInto(dir);
    expect((await runCli(['uninstall', '--root', dir])).code).toBe(0);
    // The user and the ownership stay; the unit and the rules come back, enabled and started again.
    const again = await installInto(dir);
    expect(commandsOf(again.stdout)).toEqual([
      'would run: udevadm control --reload',
      'would run: udevadm trigger --subsystem-match=tty',
      'would run: systemctl daemon-reload',
      'would run: systemctl enable rfid-gateway.service',
      'would run: systemctl start rfid-gateway.service',
    ]);
    // After --purge (the user deleted too) it is a fresh install again.
    expect((await runCli(['uninstall', '--root', dir, '--purge'])).code).toBe(0);
    expect(commandsOf((await installInto(dir)).stdout)).toHaveLength(8);
  });

  it('uses a service user that is already there, adding it to dialout, and keeps it through --purge', async () => {
    const dir = piRoot();
    addServiceUser(dir, { inDialout: false });
    const { stdout } = await installInto(dir);
    expect(commandsOf(stdout)).toEqual([
      'would run: usermod --append --groups dialout rfid-gateway',
      'would run: udevadm control --reload',
      'would run: udevadm trigger --subsystem-match=tty',
      'would run: systemctl daemon-reload',
      'would run: systemctl enable rfid-gateway.service',
      'would run: systemctl start rfid-gateway.service',
    ]);
    expect(JSON.parse(readFileSync(join(dir, STATE), 'utf8'))).toMatchObject({
      createdUser: false,
      addedToSerialGroup: true,
    });
    const purged = await runCli(['uninstall', '--root', dir, '--purge']);
    expect(purged.code).toBe(0);
    expect(lines(purged.stdout)).toContain('kept      user rfid-gateway (it existed before install)');
    expect(commandsOf(purged.stdout)).toEqual([
      // Install printed `systemctl enable` and `start`: uninstall takes them as run.
      'would run: systemctl stop rfid-gateway.service',
      'would run: systemctl disable rfid-gateway.service',
      'would run: systemctl daemon-reload',
      'would run: udevadm control --reload',
      'would run: gpasswd --delete rfid-gateway dialout',
    ]);
  });
});

describe('rfid-gateway uninstall --root', () => {
  it('stops and disables the service and removes the unit and the rules, keeping config, data and user', async () => {
    const dir = piRoot();
    await installInto(dir);
    simulateCommands(dir);
    writeFileSync(join(dir, 'var/lib/rfid-gateway/gateway.sqlite'), 'the outbox');
    const result = await runCli(['uninstall', '--root', dir]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(lines(result.stdout)).toEqual([
      `uninstall into ${dir}: files are written there, commands only printed`,
      'would run: systemctl stop rfid-gateway.service',
      'would run: systemctl disable rfid-gateway.service',
      `removed   ${dir}/${UNIT}`,
      'would run: systemctl daemon-reload',
      `removed   ${dir}/${RULES}`,
      'would run: udevadm control --reload',
      `kept      ${dir}/etc/rfid-gateway (uninstall --purge removes it)`,
      `kept      ${dir}/var/lib/rfid-gateway (uninstall --purge removes it)`,
      'kept      user rfid-gateway (owns the data; uninstall --purge removes it)',
      'uninstall: 2 changed; 4 command(s) would run (with --root nothing runs)',
    ]);
    expect(existsSync(join(dir, UNIT))).toBe(false);
    expect(existsSync(join(dir, RULES))).toBe(false);
    expect(readFileSync(join(dir, 'var/lib/rfid-gateway/gateway.sqlite'), 'utf8')).toBe('the outbox');
    expect(existsSync(join(dir, CONFIG))).toBe(true);

    const again = await runCli(['uninstall', '--root', dir]);
    expect(again.code).toBe(0);
    expect(lines(again.stdout).at(-1)).toBe('uninstall: nothing to remove');
  });

  it('--purge also removes the config, the data and the user install created', async () => {
    const dir = piRoot();
    await installInto(dir);
    simulateCommands(dir);
    writeFileSync(join(dir, 'var/lib/rfid-gateway/gateway.sqlite'), 'the outbox');
    const result = await runCli(['uninstall', '--root', dir, '--purge']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(lines(result.stdout).slice(-4)).toEqual([
      `removed   ${dir}/etc/rfid-gateway`,
      `removed   ${dir}/var/lib/rfid-gateway`,
      'would run: userdel rfid-gateway',
      'uninstall: 4 changed; 5 command(s) would run (with --root nothing runs)',
    ]);
    expect(existsSync(join(dir, 'etc/rfid-gateway'))).toBe(false);
    expect(existsSync(join(dir, 'var/lib/rfid-gateway'))).toBe(false);
  });
});

describe('rfid-gateway install: exit codes', () => {
  it('exits 2 on an unknown template or argument, and on --root /', async () => {
    const dir = piRoot();
    const template = await runCli(['install', '--root', dir, '--config-template', 'kiosk']);
    expect(template.code).toBe(2);
    expect(template.stderr).toContain('--config-template must be one of fridge, shelf, door, got "kiosk"');
    expect(existsSync(join(dir, CONFIG))).toBe(false);
    const extra = await runCli(['uninstall', '--root', dir, 'now']);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain("Unexpected argument 'now'");
    const slash = await runCli(['install', '--root', '/']);
    expect(slash.code).toBe(2);
    expect(slash.stderr).toContain('--root / is this machine: run "sudo rfid-gateway install" instead');
  });

  it('exits 2 with a clear message without root and without --root', async () => {
    // Never run install without --root as root here: it would install on this machine. As root,
    // run it as nobody, which needs a checkout every user may read (not CI's private temp dir).
    if (process.getuid?.() === 0 && !readableByEveryone(process.cwd())) {
      // The check itself, then, in-process: the same function the command runs.
      for (const command of ['install', 'uninstall'] as const) {
        const errors: string[] = [];
        expect(
          hostFor(
            command,
            undefined,
            () => {},
            1000,
            (line) => errors.push(line),
          ),
        ).toBeUndefined();
        expect(errors).toEqual([
          `rfid-gateway ${command}: must run as root (sudo rfid-gateway ${command} ...), or with --root DIR` +
            ' to write the files into DIR and print the commands instead of running them',
        ]);
      }
      return;
    }
    const asUser = (args: string[]) =>
      process.getuid?.() === 0 ? runCliAs({ uid: 65534, gid: 65534 }, args) : runCli(args);
    for (const command of ['install', 'uninstall']) {
      const result = await asUser([command]);
      expect(result.code).toBe(2);
      expect(result.stderr.trim()).toBe(
        `rfid-gateway ${command}: must run as root (sudo rfid-gateway ${command} ...), or with --root DIR` +
          ' to write the files into DIR and print the commands instead of running them',
      );
      expect(result.stdout).toBe('');
    }
  });

  it('exits 1 when it cannot write under --root', async () => {
    const dir = piRoot();
    writeFileSync(join(dir, 'file'), '');
    const result = await runCli(['install', '--root', join(dir, 'file')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^rfid-gateway: ENOTDIR/);
  });
});
