import { existsSync, readFileSync } from 'node:fs';
import { engineChecks } from '../app/config-checks.js';
import { id } from '../config/common.js';
import { ConfigError, loadConfigFile } from '../config/load.js';
import { createFileOnce, ensureDirectory, type FileChange, writeManagedFile } from './files.js';
import { type Host, onHost } from './host.js';
import {
  CONFIG_DIR,
  CONFIG_FILE,
  DATA_DIR,
  SERIAL_GROUP,
  SERVICE_GROUP,
  SERVICE_USER,
  STATE_FILE,
  SYSTEMD_RUNNING_MARKER,
  UDEV_RULES_FILE,
  UNIT_FILE,
  UNIT_NAME,
} from './layout.js';
import type { ServiceCommand } from './service-command.js';
import { EMPTY_STATE, type InstallState, readInstallState, renderInstallState } from './state.js';
import { DEFAULT_TEMPLATE, renderConfig, TEMPLATES, type TemplateName } from './templates/index.js';
import { renderUdevRules } from './udev.js';
import { renderUnit } from './unit.js';

export interface InstallOptions {
  /** The config template when there is no config yet (default fridge); never applied over a config. */
  template?: TemplateName;
  service: ServiceCommand;
  log: (line: string) => void;
}

export interface Outcome {
  /** Files and directories created, updated or removed. */
  changed: number;
  unchanged: number;
  /** Commands run (or, with --root, that would run). */
  commands: number;
}

/** Reports one path: `created   /etc/rfid-gateway/gateway.json (template fridge)`. */
export function pathLine(kind: string, path: string, detail?: string): string {
  return `${kind.padEnd(9)} ${path}${detail ? ` (${detail})` : ''}`;
}

/** The machine's host name, when it can be a gateway id (each gateway needs its own). */
function gatewayIdOf(host: Host): string | undefined {
  try {
    const name = readFileSync(onHost(host, '/etc/hostname'), 'utf8').trim();
    return id.safeParse(name).success ? name : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Installs the gateway as a service: the service user (in dialout), the config from a template
 * (never over an existing one), the state directory, the hardened unit and the udev rules; then
 * reloads udev and enables and starts the service when systemd runs. Every step looks first, so a
 * second run changes nothing and runs nothing.
 */
export function install(host: Host, options: InstallOptions): Outcome {
  const { log } = options;
  const outcome: Outcome = { changed: 0, unchanged: 0, commands: 0 };
  const run = (argv: string[]): void => {
    host.run(argv);
    outcome.commands++;
  };
  const report = (change: FileChange, path: string, detail?: string): void => {
    log(pathLine(change, path, detail));
    if (change === 'unchanged') outcome.unchanged++;
    else outcome.changed++;
  };
  const chown = (target: string, user: string, group: string): void => {
    const uid = host.user(user)?.uid ?? (user === 'root' ? 0 : undefined);
    const gid = host.group(group)?.gid;
    const owner = host.owner(target);
    if (owner !== undefined && owner.uid === uid && owner.gid === gid) return;
    run(['chown', `${user}:${group}`, target]);
  };

  const previous = readInstallState(onHost(host, STATE_FILE));
  const state: InstallState = { ...(previous ?? EMPTY_STATE) };

  // The service user, a system account in its own group and in dialout (the serial ports' group).
  if (host.group(SERIAL_GROUP) === undefined) run(['groupadd', '--system', SERIAL_GROUP]);
  const user = host.user(SERVICE_USER);
  if (user === undefined) {
    const ownGroup = host.group(SERVICE_GROUP) === undefined ? ['--user-group'] : ['--gid', SERVICE_GROUP];
    run([
      'useradd',
      '--system',
      ...ownGroup,
      '--groups',
      SERIAL_GROUP,
      '--home-dir',
      DATA_DIR,
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      '--comment',
      'rfid-gateway service',
      SERVICE_USER,
    ]);
    state.createdUser = true;
  } else {
    const serial = host.group(SERIAL_GROUP);
    if (serial === undefined || !(serial.gid === user.gid || serial.members.includes(SERVICE_USER))) {
      run(['usermod', '--append', '--groups', SERIAL_GROUP, SERVICE_USER]);
      if (!state.createdUser) state.addedToSerialGroup = true;
    }
  }

  // The config: from a template when there is none; an existing one is never touched.
  const configDir = onHost(host, CONFIG_DIR);
  report(ensureDirectory(configDir, 0o755) ? 'created' : 'unchanged', configDir);
  const configPath = onHost(host, CONFIG_FILE);
  if (existsSync(configPath)) {
    const note = options.template === undefined ? '' : `; --config-template ${options.template} not applied`;
    log(pathLine('kept', configPath, `an existing config is never overwritten${note}`));
    outcome.unchanged++;
    checkExistingConfig(configPath, log);
  } else {
    const template = options.template ?? DEFAULT_TEMPLATE;
    const hostname = gatewayIdOf(host);
    if (createFileOnce(configPath, renderConfig(template, hostname), 0o640)) {
      const gatewayId =
        hostname === undefined ? TEMPLATES[template].gatewayId : `${hostname} from /etc/hostname`;
      report(
        'created',
        configPath,
        `template ${template}, gatewayId ${gatewayId}: edit its ports and mqtt.url`,
      );
      state.createdConfig = true;
      state.template = template;
    }
  }
  // Readable by the service (group), not by every user: it may name customers and cards.
  if (state.createdConfig) chown(CONFIG_FILE, 'root', SERVICE_GROUP);

  const dataDir = onHost(host, DATA_DIR);
  report(ensureDirectory(dataDir, 0o750) ? 'created' : 'unchanged', dataDir);
  chown(DATA_DIR, SERVICE_USER, SERVICE_GROUP);

  const statePath = onHost(host, STATE_FILE);
  report(writeManagedFile(statePath, renderInstallState(state), 0o644), statePath);

  for (const warning of options.service.warnings) log(`warning: ${warning}`);
  const unitPath = onHost(host, UNIT_FILE);
  const unit = renderUnit({ command: options.service.command, protectHome: options.service.protectHome });
  const unitChange = writeManagedFile(unitPath, unit, 0o644);
  report(unitChange, unitPath);
  const rulesPath = onHost(host, UDEV_RULES_FILE);
  const rulesChange = writeManagedFile(rulesPath, renderUdevRules(), 0o644);
  report(rulesChange, rulesPath);

  if (rulesChange !== 'unchanged') {
    if (host.udevRunning()) {
      run(['udevadm', 'control', '--reload']);
      // Adapters already plugged in get their names and group now, not at the next plug.
      run(['udevadm', 'trigger', '--subsystem-match=tty']);
    } else {
      log('note: udevd is not running: the rules apply once it runs (at the next boot)');
    }
  }

  if (!host.systemdRunning()) {
    log(
      `note: systemd is not running (no ${SYSTEMD_RUNNING_MARKER}): the service was neither enabled nor started;` +
        ` once systemd runs: systemctl enable --now ${UNIT_NAME}`,
    );
  } else {
    if (unitChange !== 'unchanged') run(['systemctl', 'daemon-reload']);
    const active = host.unitActive(UNIT_NAME);
    if (!host.unitEnabled(UNIT_NAME)) run(['systemctl', 'enable', UNIT_NAME]);
    if (!active) run(['systemctl', 'start', UNIT_NAME]);
    else if (unitChange !== 'unchanged') run(['systemctl', 'restart', UNIT_NAME]);
  }
  return outcome;
}

function checkExistingConfig(path: string, log: (line: string) => void): void {
  try {
    loadConfigFile(path, engineChecks);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    log(
      `warning: ${path} has ${error.problems.length} problem(s) and the service will not start with it:` +
        ` rfid-gateway check-config ${CONFIG_FILE}`,
    );
  }
}
