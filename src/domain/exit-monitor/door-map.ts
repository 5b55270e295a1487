import type { ConfigProblem } from '../../config/load.js';
import type { GatewayConfig } from '../../config/schema.js';

type DoorConfig = GatewayConfig['doors'][number];

/** Doors whose paths end with the same step: an exit there cannot be told apart. */
export interface SharedLastStep {
  from: string;
  to: string;
  /** In `doors` order; the first watched one is the one alarms name. */
  doors: string[];
  /** The one alarms name; undefined when none of them is watched. */
  named: string | undefined;
}

/**
 * `tag.moved` says an exit happened and between which two zones, not through which door: the core
 * reports an exit on the move that completes a door's path, so the move is the path's last step
 * (`from` = its second-to-last zone, `to` = its outside zone). This maps that step back to a door.
 *
 * Doors that end with the same step (two paths meeting in one vestibule before the street) cannot
 * be told apart from the event. The step is then given to the first *watched* door among them, in
 * the order of the `doors` section (the order the core tries them in): better an alarm naming the
 * neighbouring door than a missed one because an unwatched door came first. `sharedLastSteps` lists
 * such steps so that the start-up can say so. Doors that share other zones (the same outside zone
 * reached from different inside zones) are told apart by `from`.
 */
export class DoorMap {
  private readonly byStep = new Map<string, string>();
  readonly sharedLastSteps: SharedLastStep[] = [];

  constructor(doors: readonly DoorConfig[], watched: readonly string[]) {
    const problems = watchedDoorProblems(doors, watched);
    if (problems.length > 0) {
      throw new Error(problems.map((problem) => `${problem.path}: ${problem.message}`).join('; '));
    }
    const watchedSet = new Set(watched);
    const groups = new Map<string, { from: string; to: string; doors: string[] }>();
    for (const door of doors) {
      const from = door.path[door.path.length - 2];
      const to = door.path[door.path.length - 1];
      if (from === undefined || to === undefined) continue;
      const key = stepKey(from, to);
      const group = groups.get(key) ?? { from, to, doors: [] };
      group.doors.push(door.id);
      groups.set(key, group);
    }
    for (const [key, group] of groups) {
      const named = group.doors.find((id) => watchedSet.has(id));
      if (named !== undefined) this.byStep.set(key, named);
      if (group.doors.length > 1) this.sharedLastSteps.push({ ...group, named });
    }
  }

  /** The watched door an exit from `from` into `to` went through, if any. */
  doorFor(from: string, to: string): string | undefined {
    return this.byStep.get(stepKey(from, to));
  }
}

/** `exitMonitor.doors` naming no door of the config, with the config paths check-config prints. */
export function watchedDoorProblems(
  doors: readonly DoorConfig[],
  watched: readonly string[],
): ConfigProblem[] {
  const known = doors.map((door) => door.id);
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  watched.forEach((id, index) => {
    const path = `exitMonitor.doors[${index}]`;
    if (!known.includes(id)) {
      problems.push({
        path,
        message: `"${id}" is not a door of this config (doors: ${known.join(', ') || 'none'})`,
      });
    } else if (seen.has(id)) {
      problems.push({ path, message: `"${id}" is listed twice` });
    }
    seen.add(id);
  });
  return problems;
}

/**
 * For `check-config` (an `ExtraCheck`): what the exit monitor would refuse at start-up, reported with
 * config paths instead.
 */
export function exitMonitorChecks(config: GatewayConfig): ConfigProblem[] {
  if (!config.exitMonitor) return [];
  return watchedDoorProblems(config.doors, config.exitMonitor.doors);
}

function stepKey(from: string, to: string): string {
  // Zone ids cannot contain a space (config `id`), so this cannot collide.
  return `${from} ${to}`;
}
