#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { tuneServiceStart } from './service-v8.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, parseNumberOption, USAGE, UsageError } from './usage.js';

type Options = Parameters<typeof parseArgs>[0] extends infer T
  ? T extends { options?: infer O }
    ? O
    : never
  : never;

function parse(args: string[], options: Options, positionals: number) {
  const parsed = parseArgs({ args, options, allowPositionals: positionals > 0, strict: true });
  if (parsed.positionals.length > positionals) {
    throw new UsageError(`unexpected argument "${parsed.positionals[positionals]}"`);
  }
  return parsed;
}

/**
 * Each command loads its own modules when it runs: the service does not carry the installer, the
 * recorder, the simulator or the replay in its memory.
 */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run': {
      const { values } = parse(rest, { config: { type: 'string' } }, 0);
      tuneServiceStart();
      const { runCommand } = await import('./run-command.js');
      return runCommand(values.config as string | undefined);
    }
    case 'replay': {
      const { values, positionals } = parse(
        rest,
        {
          config: { type: 'string' },
          speed: { type: 'string' },
          stats: { type: 'boolean' },
          'gateway-id': { type: 'string' },
          mqtt: { type: 'string' },
          'data-dir': { type: 'string' },
          'drain-timeout': { type: 'string' },
          epcis: { type: 'string' },
        },
        1,
      );
      const capture = positionals[0];
      if (capture === undefined) throw new UsageError('replay needs a CAPTURE file');
      const { replayCommand } = await import('./replay-command.js');
      return replayCommand(capture, values as Record<string, string | boolean | undefined>);
    }
    case 'record': {
      const { values } = parse(
        rest,
        {
          port: { type: 'string' },
          driver: { type: 'string' },
          baud: { type: 'string' },
          out: { type: 'string' },
          seconds: { type: 'string' },
          id: { type: 'string' },
          settings: { type: 'string' },
        },
        0,
      );
      const { recordCommand } = await import('./record-command.js');
      return recordCommand(values as Record<string, string | undefined>);
    }
    case 'simulate': {
      const { values } = parse(
        rest,
        {
          driver: { type: 'string' },
          port: { type: 'string' },
          tags: { type: 'string' },
          rate: { type: 'string' },
          seconds: { type: 'string' },
          baud: { type: 'string' },
          seed: { type: 'string' },
        },
        0,
      );
      const { simulateCommand } = await import('./simulate-command.js');
      return simulateCommand(values as Record<string, string | undefined>);
    }
    case 'catalog': {
      const { catalogCommand } = await import('./catalog-command.js');
      return catalogCommand(rest);
    }
    case 'actuate': {
      const { values, positionals } = parse(
        rest,
        { config: { type: 'string' }, safe: { type: 'boolean' }, timeout: { type: 'string' } },
        2,
      );
      const timeoutS = parseNumberOption('timeout', values.timeout as string | undefined, 0.1, 60) ?? 5;
      const { actuateCommand } = await import('./actuate-command.js');
      return actuateCommand(positionals, {
        ...(values.config === undefined ? {} : { config: values.config as string }),
        safe: values.safe === true,
        timeoutMs: timeoutS * 1000,
      });
    }
    case 'check-config': {
      const { positionals } = parse(rest, {}, 1);
      if (positionals[0] === undefined) throw new UsageError('check-config needs a FILE');
      const { checkConfigCommand } = await import('./config-commands.js');
      return checkConfigCommand(positionals[0]);
    }
    case 'install': {
      const { values } = parse(rest, { 'config-template': { type: 'string' }, root: { type: 'string' } }, 0);
      const { installCommand } = await import('./install-command.js');
      return installCommand('install', {
        ...(values['config-template'] === undefined
          ? {}
          : { configTemplate: values['config-template'] as string }),
        ...(values.root === undefined ? {} : { root: values.root as string }),
      });
    }
    case 'uninstall': {
      const { values } = parse(rest, { root: { type: 'string' }, purge: { type: 'boolean' } }, 0);
      const { installCommand } = await import('./install-command.js');
      return installCommand('uninstall', {
        ...(values.root === undefined ? {} : { root: values.root as string }),
        purge: values.purge === true,
      });
    }
    case 'schema': {
      parse(rest, {}, 0);
      const { schemaCommand } = await import('./config-commands.js');
      return schemaCommand();
    }
    case 'ports': {
      parse(rest, {}, 0);
      const { portsCommand } = await import('./ports-command.js');
      return portsCommand();
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return command === undefined ? EXIT_USAGE : EXIT_OK;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

/** Exits once stdout has drained, so that a port or timer left open cannot keep the process alive. */
function exitAfterFlush(code: number): void {
  // A closed pipe (`run | head`) drains nothing more.
  if (process.stdout.destroyed || process.stdout.writableEnded) process.exit(code);
  process.stdout.write('', () => process.exit(code));
}

main(process.argv.slice(2)).then(
  (code) => exitAfterFlush(code),
  (error: unknown) => {
    const usage =
      error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    console.error(`rfid-gateway: ${(error as Error).message}`);
    if (usage) console.error('Run "rfid-gateway help" for usage.');
    exitAfterFlush(usage ? EXIT_USAGE : EXIT_FAILURE);
  },
);
