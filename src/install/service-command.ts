import { existsSync, realpathSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ServiceCommand {
  /** What ExecStart= and ExecStopPost= run, before `run` / `actuate --safe`. */
  command: string[];
  protectHome: 'yes' | 'read-only';
  /** Reasons the service may not be able to start, for the installer to print. */
  warnings: string[];
}

const HOMES = /^\/(home|root|run\/user)(\/|$)/;

/** Why a user who is neither the owner nor in the group could not use `path`, or undefined. */
function unreachable(path: string, need: number): string | undefined {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return `${dir} is not searchable by other users`;
    if (dir === '/') break;
  }
  return (statSync(path).mode & need) === 0
    ? `${path} is not ${need === 0o004 ? 'readable' : 'executable'} by other users`
    : undefined;
}

/**
 * The gateway as this process runs it: this Node binary and this package's dist/cli/main.js, by
 * absolute path (the service does not depend on PATH). Falls back to `/usr/bin/env rfid-gateway`
 * when run from sources (no dist/cli/main.js beside this file).
 */
export function detectServiceCommand(
  node = process.execPath,
  main = fileURLToPath(new URL('../cli/main.js', import.meta.url)),
): ServiceCommand {
  if (!existsSync(main)) {
    return {
      command: ['/usr/bin/env', 'rfid-gateway'],
      protectHome: 'yes',
      warnings: [`${main} does not exist (not built?): the unit runs "rfid-gateway" from the PATH`],
    };
  }
  const files: Array<[string, number]> = [
    [realpathSync(node), 0o001],
    [realpathSync(main), 0o004],
  ];
  const warnings: string[] = [];
  for (const [file, need] of files) {
    const why = unreachable(file, need);
    if (why !== undefined) {
      warnings.push(
        `the service user cannot use ${file} (${why}): install the package globally (see README, "Install on a Raspberry Pi")`,
      );
    }
  }
  const inHome = files.some(([file]) => HOMES.test(file));
  return { command: [node, main], protectHome: inHome ? 'read-only' : 'yes', warnings };
}
