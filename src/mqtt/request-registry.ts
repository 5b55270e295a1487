import { z } from 'zod';
import type { CommandRegistry } from '../shared/extension.js';
import type { RequestCaller } from '../shared/request-caller.js';
import { signatureFields, transactionSchema } from './request-schemas.js';
import { SIGNATURE_FIELDS } from './request-signature.js';

/** Fields every request may carry, whatever its command. */
const commonFields = {
  transaction: transactionSchema.optional(),
  /** A request still queued when the operator has moved on (e.g. a restart) must not run late. */
  expiresAt: z.iso.datetime({ offset: true, error: 'expected an ISO 8601 date-time' }).optional(),
  /** A signed request (request-signature.ts): checked by the router before this schema runs. */
  ...signatureFields,
};

/** Names a command's own fields may not take: the router reads them before the handler runs. */
const RESERVED_FIELDS: readonly string[] = [...SIGNATURE_FIELDS];

/** What a handler gets: its own fields (the common ones are the router's business). */
export type RequestOf<S extends z.ZodRawShape> = z.output<z.ZodObject<S, z.core.$strict>>;

export interface RegisteredCommand {
  command: string;
  /** Strict: a misspelt field (`zones` for `zone`) is reported instead of silently widening the answer. */
  schema: z.ZodType<{ expiresAt?: string | undefined }>;
  handler: (request: never, caller: RequestCaller) => unknown;
  /** The command's own field names (not the common ones), e.g. for an audit summary. */
  fields: readonly string[];
  /** Who registered it, for the logs. */
  owner: string;
  /**
   * Changes state (a restart, a sale): audited with its outcome, accepted or refused, and refused
   * without a valid signature when `security.signedCommands.required`.
   */
  changesState: boolean;
  /**
   * Reads personal data (the allow-list, sessions, the audit): not audited, but refused without a
   * valid signature when signatures are required, like a state change.
   */
  sensitive: boolean;
  /** A larger payload than the router's limit (a CSV import): undefined = the router's. */
  maxPayloadBytes?: number;
}

const COMMAND = /^[a-z][a-z0-9-]*(\/[a-z][a-z0-9-]*)*$/;

/**
 * The commands answered on `<base>/request/<command>`. Any extension adds its own (a zod shape and a
 * handler) when it is built; the router validates, runs and answers them all alike.
 */
export class RequestRegistry implements CommandRegistry {
  private readonly commands = new Map<string, RegisteredCommand>();

  register<S extends z.ZodRawShape>(
    command: string,
    fields: S,
    handler: (request: RequestOf<S>, caller: RequestCaller) => unknown,
    options: { owner: string; changesState?: boolean; sensitive?: boolean; maxPayloadBytes?: number },
  ): () => void {
    if (!COMMAND.test(command)) {
      throw new Error(`request command "${command}" must be lowercase words separated by /`);
    }
    const reserved = Object.keys(fields).filter((field) => RESERVED_FIELDS.includes(field));
    if (reserved.length > 0) {
      throw new Error(
        `request command "${command}" may not define ${reserved.join(', ')}: the router's fields`,
      );
    }
    const limit = options.maxPayloadBytes;
    if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) {
      throw new Error(
        `request command "${command}": maxPayloadBytes must be a positive integer, got ${limit}`,
      );
    }
    const existing = this.commands.get(command);
    if (existing) {
      throw new Error(
        `request command "${command}" is registered twice (${existing.owner}, ${options.owner})`,
      );
    }
    const registered: RegisteredCommand = {
      command,
      schema: z.strictObject({ ...commonFields, ...fields }) as unknown as RegisteredCommand['schema'],
      handler: handler as (request: never, caller: RequestCaller) => unknown,
      fields: Object.keys(fields),
      owner: options.owner,
      changesState: options.changesState ?? false,
      sensitive: options.sensitive ?? false,
      ...(options.maxPayloadBytes === undefined ? {} : { maxPayloadBytes: options.maxPayloadBytes }),
    };
    this.commands.set(command, registered);
    return () => {
      if (this.commands.get(command) === registered) this.commands.delete(command);
    };
  }

  get(command: string): RegisteredCommand | undefined {
    return this.commands.get(command);
  }

  /** Known commands, sorted, for "unknown command" answers. */
  names(): string[] {
    return [...this.commands.keys()].sort();
  }
}
