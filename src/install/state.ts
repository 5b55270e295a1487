import { z } from 'zod';
import { readOwnJson } from './files.js';

/**
 * What install created, kept in /etc/rfid-gateway/install-state.json (root's, beside the config, not
 * in the service's own writable data), so that uninstall --purge never removes a user that was
 * there before install, nor takes a user it did not add out of dialout.
 */
export const installStateSchema = z.object({
  version: z.literal(1),
  /** install ran useradd (with --root: would have). */
  createdUser: z.boolean(),
  /** The user existed and install added it to dialout. */
  addedToSerialGroup: z.boolean(),
  /** The config was written from a template (not there before). */
  createdConfig: z.boolean(),
  template: z.string().nullable(),
});

export type InstallState = z.infer<typeof installStateSchema>;

export const EMPTY_STATE: InstallState = {
  version: 1,
  createdUser: false,
  addedToSerialGroup: false,
  createdConfig: false,
  template: null,
};

/** The recorded state, or undefined when there is none (never installed, or installed by hand). */
export function readInstallState(path: string): InstallState | undefined {
  return readOwnJson(
    path,
    installStateSchema,
    'is not an install state this version understands: move it away and install again',
  );
}

export function renderInstallState(state: InstallState): string {
  return `${JSON.stringify(state, null, 2)}\n`;
}
