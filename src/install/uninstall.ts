import { existsSync } from 'node:fs';
import { removePath } from './files.js';
import { type Host, onHost } from './host.js';
import { type Outcome, pathLine } from './install.js';
import {
  CONFIG_DIR,
  DATA_DIR,
  SERIAL_GROUP,
  SERVICE_USER,
  STATE_FILE,
  UDEV_RULES_FILE,
  UNIT_FILE,
  UNIT_NAME,
} from './layout.js';
import { readInstallState } from './state.js';

export interface UninstallOptions {
  /** Also remove the config, the data and the service user (if install created it). */
  purge: boolean;
  log: (line: string) => void;
}

/**
 * Reverses install: stops the service (its ExecStopPost= puts the actuators into their safe state)
 * and disables it, removes the unit and the udev rules. The config, the data (outbox, inventory,
 * purchases) and the service user who owns them stay unless `purge`; even then a user that existed
 * before install stays.
 */
export function uninstall(host: Host, options: UninstallOptions): Outcome {
  const { log } = options;
  const outcome: Outcome = { changed: 0, unchanged: 0, commands: 0 };
  const run = (argv: string[]): void => {
    host.run(argv);
    outcome.commands++;
  };
  const remove = (target: string): boolean => {
    const path = onHost(host, target);
    if (!removePath(path)) return false;
    log(pathLine('removed', path));
    outcome.changed++;
    return true;
  };

  const systemd = host.systemdRunning();
  if (systemd && existsSync(onHost(host, UNIT_FILE))) {
    if (host.unitActive(UNIT_NAME)) run(['systemctl', 'stop', UNIT_NAME]);
    if (host.unitEnabled(UNIT_NAME)) run(['systemctl', 'disable', UNIT_NAME]);
  }
  if (remove(UNIT_FILE) && systemd) run(['systemctl', 'daemon-reload']);
  if (remove(UDEV_RULES_FILE) && host.udevRunning()) run(['udevadm', 'control', '--reload']);

  if (!options.purge) {
    for (const target of [CONFIG_DIR, DATA_DIR]) {
      const path = onHost(host, target);
      if (existsSync(path)) log(pathLine('kept', path, 'uninstall --purge removes it'));
    }
    if (host.user(SERVICE_USER) !== undefined) {
      log(pathLine('kept', `user ${SERVICE_USER}`, 'owns the data; uninstall --purge removes it'));
    }
    return outcome;
  }

  // Read before the config directory (where it lives) goes.
  const state = readInstallState(onHost(host, STATE_FILE));
  remove(CONFIG_DIR);
  remove(DATA_DIR);
  if (host.user(SERVICE_USER) !== undefined) {
    if (state?.createdUser === true) {
      run(['userdel', SERVICE_USER]);
    } else {
      const why = state === undefined ? 'no record that install created it' : 'it existed before install';
      log(pathLine('kept', `user ${SERVICE_USER}`, why));
      if (state?.addedToSerialGroup === true) run(['gpasswd', '--delete', SERVICE_USER, SERIAL_GROUP]);
    }
  }
  return outcome;
}
