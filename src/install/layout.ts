/**
 * Where `rfid-gateway install` puts things on the machine, as absolute paths of the target system.
 * With `--root DIR` every one of them is written under DIR instead (see `Host.root`).
 */

export const SERVICE_USER = 'rfid-gateway';
/** The service user's own group (useradd --user-group), the primary group of the service. */
export const SERVICE_GROUP = 'rfid-gateway';
/** Owns the serial ports on Debian and Raspberry Pi OS; the service user is a member. */
export const SERIAL_GROUP = 'dialout';
export const UNIT_NAME = 'rfid-gateway.service';

export const CONFIG_DIR = '/etc/rfid-gateway';
export const CONFIG_FILE = '/etc/rfid-gateway/gateway.json';
/** What install created, so that uninstall --purge removes only that (never a user that was there before). */
export const STATE_FILE = '/etc/rfid-gateway/install-state.json';
/** With `--root DIR` only: what the commands printed into DIR would do, taken as done by the next run. */
export const ROOT_PLAN_FILE = '/etc/rfid-gateway/install-root-plan.json';
/** The config's default `dataDir` and the unit's StateDirectory=. */
export const DATA_DIR = '/var/lib/rfid-gateway';
export const UNIT_FILE = '/etc/systemd/system/rfid-gateway.service';
export const UNIT_WANTS_LINK = '/etc/systemd/system/multi-user.target.wants/rfid-gateway.service';
export const UDEV_RULES_FILE = '/etc/udev/rules.d/99-rfid-gateway.rules';
/** Exists while systemd is PID 1 (sd_booted(3)). */
export const SYSTEMD_RUNNING_MARKER = '/run/systemd/system';
/** udevd's control socket: exists while udevd runs (not in most containers). */
export const UDEV_CONTROL_SOCKET = '/run/udev/control';
