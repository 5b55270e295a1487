import { engineChecks } from '../../../src/app/config-checks.js';
import { ConfigError, type ConfigProblem, parseConfig } from '../../../src/config/load.js';

/**
 * What `check-config` finds wrong in a config document: every problem with its path, none when the
 * document is valid. `engineChecks: false` leaves out the engine's checks across fields (the schema's
 * own problems only).
 */
export function problemsOf(document: unknown, options: { engineChecks?: boolean } = {}): ConfigProblem[] {
  try {
    parseConfig(document, 'test.json', options.engineChecks === false ? [] : engineChecks);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

/** The same problems, each as one `path: message` line. */
export function problemLinesOf(document: unknown): string[] {
  return problemsOf(document).map((problem) => `${problem.path}: ${problem.message}`);
}
