import { CONFIG_FILE, SERIAL_GROUP, SERVICE_GROUP, SERVICE_USER, UDEV_RULES_FILE } from './layout.js';

export interface UnitOptions {
  /**
   * How the service runs the command line: `[process.execPath, '<package>/dist/cli/main.js']` for an
   * installed gateway, `['/usr/bin/env', 'rfid-gateway']` for the generic unit shipped in `systemd/`.
   */
  command: readonly string[];
  /**
   * `read-only` when the command lives under /home or /root (a clone, Node from nvm): ProtectHome=yes
   * would hide it from the service.
   */
  protectHome: 'yes' | 'read-only';
  /** The copy shipped in the package's systemd/ folder (its header says how it is used). */
  shipped?: boolean;
}

/** One word of a systemd command line: `%` and `$` escaped, quoted when it has spaces or quotes. */
export function systemdWord(word: string): string {
  if (/^[A-Za-z0-9_@+=:,./-]+$/.test(word)) return word;
  const escaped = word.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%').replace(/\$/g, '$$$$');
  return /[\s"'\\]/.test(word) ? `"${escaped}"` : escaped;
}

/**
 * The service unit `install` writes to /etc/systemd/system/rfid-gateway.service, hardened: the
 * service may write only its state directory, open only serial ports (and the pseudo devices), and
 * has no capabilities. `systemd-analyze security rfid-gateway` shows what is left.
 */
export function renderUnit(options: UnitOptions): string {
  const command = options.command.map(systemdWord).join(' ');
  const header = options.shipped
    ? [
        '# What `sudo rfid-gateway install` writes to /etc/systemd/system/rfid-gateway.service, with the',
        '# absolute paths of node and of the package instead of /usr/bin/env. Install does the rest too',
        '# (user, config, state directory, udev rules): use it rather than copying this file.',
      ]
    : [
        '# Written by `rfid-gateway install` (rewritten by every install; `rfid-gateway uninstall` removes it).',
        '# Local changes belong in a drop-in: systemctl edit rfid-gateway',
      ];
  const lines = [
    ...header,
    '[Unit]',
    'Description=rfid-gateway: RFID readers and sensors to MQTT',
    'After=network-online.target',
    'Wants=network-online.target',
    '# A Pi has no real-time clock: signed commands and event times need the time from NTP first.',
    'After=time-sync.target',
    'Wants=time-sync.target',
    '# DeviceAllow=char-ttyUSB/char-ttyACM below only take effect if their drivers are loaded when the',
    '# service starts: load them first, so that an adapter plugged in later is allowed too.',
    'Wants=modprobe@usbserial.service modprobe@cdc_acm.service',
    'After=modprobe@usbserial.service modprobe@cdc_acm.service',
    '',
    '[Service]',
    'Type=simple',
    `User=${SERVICE_USER}`,
    `Group=${SERVICE_GROUP}`,
    `# Serial ports belong to ${SERIAL_GROUP} (USB adapters: ${UDEV_RULES_FILE}).`,
    `SupplementaryGroups=${SERIAL_GROUP}`,
    `Environment=RFID_GATEWAY_CONFIG=${CONFIG_FILE}`,
    '# One V8 worker thread and a small young generation: about 6 MB less RSS at no measured CPU cost.',
    'Environment="NODE_OPTIONS=--v8-pool-size=1 --max-semi-space-size=1"',
    '# The outbox lives here (config dataDir, /var/lib/rfid-gateway): the one place the service may write.',
    'StateDirectory=rfid-gateway',
    'StateDirectoryMode=0750',
    'UMask=0027',
    '# SIGTERM: stop reading, publish what is left, publish offline; the gateway bounds this itself.',
    'TimeoutStopSec=20',
    `ExecStart=${command} run`,
    '# After every stop, clean or not (a crash, SIGKILL, the OOM killer): every actuator with a safeState',
    '# is put back into it by a separate process that opens the devices itself. A lines microcontroller',
    '# ends its pulses by itself; a relay board holds whatever it was last told, lock included.',
    `ExecStopPost=${command} actuate --safe --timeout 5`,
    'Restart=on-failure',
    'RestartSec=5',
    '',
    '# Hardening. No MemoryDenyWriteExecute=: V8 compiles JavaScript into writable, executable memory.',
    'NoNewPrivileges=yes',
    'CapabilityBoundingSet=',
    'ProtectSystem=strict',
    `ProtectHome=${options.protectHome}`,
    'PrivateTmp=yes',
    'PrivateMounts=yes',
    '# Devices: /dev/null, /dev/urandom and the like, and serial ports only (PrivateDevices= would hide',
    '# the ports): USB adapters, USB CDC-ACM microcontrollers, the Pi UART (PL011) and 8250 UARTs',
    '# (the Pi mini UART, RS-232 ports). Files still decide: the ports are root:dialout 0660.',
    'DevicePolicy=closed',
    'DeviceAllow=char-ttyUSB rw',
    'DeviceAllow=char-ttyACM rw',
    'DeviceAllow=char-ttyAMA rw',
    'DeviceAllow=char-ttyS rw',
    'ProtectKernelTunables=yes',
    'ProtectKernelModules=yes',
    'ProtectKernelLogs=yes',
    'ProtectControlGroups=yes',
    'ProtectClock=yes',
    'ProtectHostname=yes',
    'ProtectProc=invisible',
    '# AF_NETLINK: resolving the broker name (getaddrinfo with AI_ADDRCONFIG, as Node asks for it)',
    '# lists the interfaces over netlink.',
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK',
    'RestrictNamespaces=yes',
    'RestrictRealtime=yes',
    'RestrictSUIDSGID=yes',
    'LockPersonality=yes',
    'RemoveIPC=yes',
    'SystemCallArchitectures=native',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
  ];
  return `${lines.join('\n')}\n`;
}
