import { inspect } from 'node:util';
import { Logger } from '@nestjs/common';
import { LogupDbSchemaError, type LogupValidationIssue } from '../errors/logup.errors.js';
import type { LogupDb, LogupDbValue } from '../logup.validation.js';

/**
 * The part of the Standard Schema v1 interface (standardschema.dev) this library
 * uses, declared here so that no schema library, and not even the spec's package,
 * is a dependency. zod (3.24+), valibot (1.0+), arktype (2.0+) and the others that
 * implement the spec fit it.
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (
      value: unknown,
      options?: { readonly libraryOptions?: Record<string, unknown> | undefined },
    ) => StandardSchemaV1Result<Output> | Promise<StandardSchemaV1Result<Output>>;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
}

/** What `~standard.validate` returns: the output value, or the issues. */
export type StandardSchemaV1Result<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | {
      readonly issues: ReadonlyArray<{
        readonly message: string;
        readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
      }>;
    };

/** A DB as a schema may describe it: flat, values LogUp stores; optional keys allowed. */
export type LogupDbShape = { readonly [key: string]: LogupDbValue | undefined };

/**
 * A Standard Schema of a subscription DB (`LogupModule.forRoot({ dbSchema })`): its
 * output is a flat object of strings, numbers and booleans.
 * @example const dbSchema = z.object({ plan: z.enum(['free', 'pro']).default('free'), seats: z.number().int() });
 */
export type LogupDbSchema = StandardSchemaV1<unknown, LogupDbShape>;

/**
 * Register your DB schema once to type every `LogupSubscription` of the app (the
 * `@Subscription()` parameter, `verify()`, `subscription()`) without a generic:
 * @example
 * declare module 'nestjs-logup' {
 *   interface LogupRegister { dbSchema: typeof dbSchema }
 * }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by module augmentation
export interface LogupRegister {}

/** The registered `dbSchema` (see {@link LogupRegister}), or `LogupDb` when none is. */
export type LogupRegisteredDb = LogupRegister extends { dbSchema: infer S extends LogupDbSchema } ? S : LogupDb;

/** What a subscription's type parameter may be: a DB type written by hand, or a DB schema. */
export type LogupDbType = LogupDb | LogupDbSchema;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The DB as reads give it: a schema's output (validated, defaults applied), or
 * `Partial<TDb>` for a type written by hand (nothing checks it).
 */
export type LogupDbRead<T extends LogupDbType> = T extends LogupDbSchema
  ? Mutable<NonNullable<T['~standard']['types']>['output']>
  : Partial<T>;

/** What `updateDb` takes: some keys of the schema's input (or of the hand-written type). */
export type LogupDbWrite<T extends LogupDbType> = T extends LogupDbSchema
  ? SomeKeys<NonNullable<T['~standard']['types']>['input']>
  : Partial<T>;

/** Some keys of a DB, each with a value (`undefined` is no value LogUp stores). */
type SomeKeys<T> = { [K in keyof T]?: Exclude<T[K], undefined> };

/** Whether a value implements Standard Schema v1. */
function isStandardSchema(value: unknown): value is LogupDbSchema {
  const props = (value as { '~standard'?: unknown } | null | undefined)?.['~standard'];
  return (
    typeof props === 'object' &&
    props !== null &&
    (props as { version?: unknown }).version === 1 &&
    typeof (props as { validate?: unknown }).validate === 'function'
  );
}

/**
 * Reads the `dbSchema` option: the schema, wrapped so that a log line or JSON of the
 * configuration shows only `[dbSchema <vendor>]`; or a problem added to `problems`.
 */
export function dbSchemaOption(
  value: unknown,
  problems: { option: string; problem: string }[],
): LogupDbSchema | undefined {
  if (value === undefined) return undefined;
  if (!isStandardSchema(value)) {
    problems.push({
      option: 'dbSchema',
      problem:
        'must be a Standard Schema (zod 3.24+, valibot 1+, arktype 2+, ...): an object with "~standard".validate',
    });
    return undefined;
  }
  const props = value['~standard'];
  const describe = () => `[dbSchema ${props.vendor}]`;
  return Object.freeze({ '~standard': props, toJSON: describe, [inspect.custom]: describe });
}

/** The DB key an issue is about (the first segment of its path), if any. */
function keyOf(issue: { path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> }): string | undefined {
  const first = issue.path?.[0];
  const key = typeof first === 'object' && first !== null ? first.key : first;
  return key === undefined ? undefined : String(key);
}

const quote = (key: string): string => JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}...` : key);
/** At most 200 characters of a schema's message (some schemas quote the value). */
const clip = (message: unknown): string => {
  const text = typeof message === 'string' && message !== '' ? message : 'is invalid';
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
};

/**
 * Validates a whole DB with the schema (awaiting an async schema).
 * @returns the schema's output, or every issue as `{ path: 'value of "key"' | 'db', message }`.
 */
export async function validateDb(
  schema: LogupDbSchema,
  db: unknown,
): Promise<{ value: LogupDb } | { issues: LogupValidationIssue[] }> {
  const result = await schema['~standard'].validate(db);
  if (result.issues) {
    const issues = result.issues.map((issue) => {
      const key = keyOf(issue);
      return { path: key === undefined ? 'db' : `value of ${quote(key)}`, message: clip(issue.message) };
    });
    return { issues: issues.length > 0 ? issues : [{ path: 'db', message: 'does not match dbSchema' }] };
  }
  const value = withoutUndefined(result.value);
  return value ? { value } : { issues: [{ path: 'db', message: OUTPUT_PROBLEM }] };
}

const OUTPUT_PROBLEM = 'is turned by dbSchema into something other than a flat object of strings, numbers and booleans';

/**
 * Checks some keys against the schema, as `updateDb` needs: the schema sees only
 * those keys, so only the issues about them count (a missing required key, or a
 * rule across keys, is judged where the whole DB is known: reads and `changeDb`).
 */
export async function validateDbKeys(schema: LogupDbSchema, data: LogupDb): Promise<LogupValidationIssue[]> {
  const result = await schema['~standard'].validate(data);
  if (!result.issues) return [];
  return result.issues.flatMap((issue) => {
    const key = keyOf(issue);
    return key !== undefined && Object.hasOwn(data, key)
      ? [{ path: `value of ${quote(key)}`, message: clip(issue.message) }]
      : [];
  });
}

/** A schema's output as a DB (keys whose value is `undefined` left out), or undefined when it is no DB. */
function withoutUndefined(value: unknown): LogupDb | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const db: LogupDb = {};
  for (const [key, entry] of Object.entries(value)) {
    if (entry === undefined) continue;
    if (!['string', 'number', 'boolean'].includes(typeof entry)) return undefined;
    // defineProperty: a key named "__proto__" stays a plain own property.
    Object.defineProperty(db, key, { value: entry, enumerable: true, writable: true, configurable: true });
  }
  return db;
}

/**
 * The verification's DB through the `dbSchema`. A DB that does not match must not
 * fail the login (the logupToken is spent): the subscription gets no snapshot, and
 * a warning names the keys; `getDb()` then throws the typed error.
 * @returns the DB (validated, the schema's defaults applied), or undefined when it does not match.
 */
export async function verificationDb(
  schema: LogupDbSchema | undefined,
  idSubscription: string,
  db: LogupDb,
): Promise<LogupDb | undefined> {
  if (!schema) return db;
  // A schema that throws instead of answering issues must not fail the login either.
  const checked = await validateDb(schema, db).catch((thrown: unknown) => ({
    issues: [{ path: 'db', message: `made dbSchema throw ${(thrown as Error)?.name ?? 'an error'}` }],
  }));
  if ('value' in checked) return checked.value;
  new Logger('LogupModule').warn(new LogupDbSchemaError('verification', idSubscription, checked.issues).message);
  return undefined;
}
