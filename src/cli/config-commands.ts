import { z } from 'zod';
import { listenProblems, loadStartableConfig } from '../app/startup-checks.js';
import { ConfigError } from '../config/load.js';
import { configSchema } from '../config/schema.js';
import { EXIT_OK, EXIT_USAGE } from './usage.js';

/** A config's problems, one per line with its path, as `check-config` and `run` both print them. */
export function printConfigError(error: ConfigError): void {
  console.error(`${error.source}: ${error.problems.length} problem(s)`);
  for (const problem of error.problems) console.error(`${problem.path || '(root)'}: ${problem.message}`);
}

export async function checkConfigCommand(file: string): Promise<number> {
  try {
    const config = loadStartableConfig(file);
    const problems = await listenProblems(config);
    if (problems.length > 0) throw new ConfigError(file, problems);
    console.log(
      `${file}: ok (${config.readers.length} reader(s), ${config.sensors.length} sensor(s), gateway "${config.gatewayId}")`,
    );
    return EXIT_OK;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    printConfigError(error);
    return EXIT_USAGE;
  }
}
export function schemaCommand(): number {
  const schema = z.toJSONSchema(configSchema, { io: 'input' });
  console.log(JSON.stringify({ title: 'rfid-gateway configuration', ...schema }, null, 2));
  return EXIT_OK;
}
