import { resolve } from 'node:path';
import { CommandError, type Host, RootHost, SystemHost } from '../install/host.js';
import { install, type Outcome } from '../install/install.js';
import { detectServiceCommand } from '../install/service-command.js';
import { isTemplateName, TEMPLATE_NAMES } from '../install/templates/index.js';
import { uninstall } from '../install/uninstall.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from './usage.js';

export interface InstallCommandOptions {
  configTemplate?: string;
  root?: string;
  purge?: boolean;
}

const log = (line: string): void => console.log(line);

/**
 * The machine itself (as root), or the `--root` directory (anybody; nothing is run). Undefined, with
 * the reason on `error`, for anybody else: exported with the uid as a parameter so that a test run
 * as root can check the refusal without installing on the machine it runs on.
 */
export function hostFor(
  command: 'install' | 'uninstall',
  root: string | undefined,
  print: (line: string) => void = log,
  uid: number | undefined = process.getuid?.(),
  error: (line: string) => void = (line) => console.error(line),
): Host | undefined {
  if (root !== undefined) {
    const dir = resolve(root);
    if (dir === '/')
      throw new UsageError(`--root / is this machine: run "sudo rfid-gateway ${command}" instead`);
    return new RootHost(dir, print);
  }
  if (uid !== 0) {
    error(
      `rfid-gateway ${command}: must run as root (sudo rfid-gateway ${command} ...),` +
        ' or with --root DIR to write the files into DIR and print the commands instead of running them',
    );
    return undefined;
  }
  return new SystemHost(print);
}

function summary(command: string, host: Host, outcome: Outcome): string {
  const ran = host.dryRun ? 'would run (with --root nothing runs)' : 'ran';
  if (outcome.changed === 0 && outcome.commands === 0) {
    // With --root, what earlier runs printed counts as run (RootHost): say so, for whoever expected it again.
    const printed = host.dryRun ? '; commands printed by earlier --root runs count as run' : '';
    return command === 'install'
      ? `install: nothing to change, already installed (${outcome.unchanged} up to date${printed})`
      : 'uninstall: nothing to remove';
  }
  const files =
    outcome.changed === 0
      ? `no file changed (${outcome.unchanged} up to date)`
      : `${outcome.changed} changed`;
  return `${command}: ${files}; ${outcome.commands} command(s) ${ran}`;
}

export function installCommand(command: 'install' | 'uninstall', options: InstallCommandOptions): number {
  const template = options.configTemplate;
  if (template !== undefined && !isTemplateName(template)) {
    throw new UsageError(`--config-template must be one of ${TEMPLATE_NAMES.join(', ')}, got "${template}"`);
  }
  const host = hostFor(command, options.root);
  if (host === undefined) return EXIT_USAGE;
  if (host.dryRun) log(`${command} into ${host.root}: files are written there, commands only printed`);
  try {
    const outcome =
      command === 'install'
        ? install(host, {
            ...(template === undefined ? {} : { template }),
            service: detectServiceCommand(),
            log,
          })
        : uninstall(host, { purge: options.purge === true, log });
    if (host instanceof RootHost) host.finish();
    log(summary(command, host, outcome));
    if (command === 'install' && !host.dryRun) {
      log(
        'logs: journalctl -u rfid-gateway -f; after editing the config: sudo systemctl restart rfid-gateway',
      );
    }
    return EXIT_OK;
  } catch (error) {
    if (!(error instanceof CommandError)) throw error;
    console.error(`rfid-gateway ${command}: ${error.message}`);
    console.error(`rfid-gateway ${command}: stopped there; running it again continues where it stopped`);
    return EXIT_FAILURE;
  }
}
