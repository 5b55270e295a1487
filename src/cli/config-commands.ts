import { z } from 'zod';
import { engineChecks } from '../app/config-checks.js';
import { ConfigError, loadConfigFile } from '../config/load.js';
import { configSchema } from '../config/schema.js';
import { EXIT_OK, EXIT_USAGE } from './usage.js';

export function checkConfigCommand(file: string): number {
  try {
    const config = loadConfigFile(file, engineChecks);
    console.log(
      `${file}: ok (${config.readers.length} reader(s), ${config.sensors.length} sensor(s), gateway "${config.gatewayId}")`,
    );
    return EXIT_OK;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`${file}: ${error.problems.length} problem(s)`);
    for (const problem of error.problems) console.error(`${problem.path || '(root)'}: ${problem.message}`);
    return EXIT_USAGE;
  }
}

export function schemaCommand(): number {
  const schema = z.toJSONSchema(configSchema, { io: 'input' });
  console.log(JSON.stringify({ title: 'rfid-gateway configuration', ...schema }, null, 2));
  return EXIT_OK;
}
