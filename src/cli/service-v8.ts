import { setFlagsFromString } from 'node:v8';

/**
 * V8 settings of the long-running service, made from inside the process so that a service started
 * any other way than by the systemd unit (`node dist/cli/main.js run`, a container, the peer harness)
 * gets them too. Only flags that V8 reads each time it decides are changed here; heap sizes and GC
 * threads are fixed when the process starts and must not be changed afterwards.
 */

/**
 * Before the service loads anything:
 * - The young generation stays at V8's initial 1 MiB semi-spaces instead of growing to 16 MiB each
 *   under load: about 4 MiB less resident memory at the price of a scavenge of a few tenths of a
 *   millisecond about once a second at 200 reads/s (the unit says `--max-semi-space-size=1`).
 * - No optimizing compiler while it starts: the start-up (modules, the config's validation,
 *   migrations) runs once, and TurboFan's work on it left 5-6 MB of memory resident for good (the
 *   peer harness: 73.5 instead of 79 MB RSS after 60 s at 200 reads/s, medians of 3 side by side).
 */
export function tuneServiceStart(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
  setFlagsFromString('--no-opt');
}

/** Once the service has started: the read path is what is worth optimizing, and it is hot now. */
export function tuneServiceRunning(): void {
  setFlagsFromString('--opt');
}
