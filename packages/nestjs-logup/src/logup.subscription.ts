import { planDbChange } from './db/logup.db-change.js';
import { inOrder } from './db/logup.db-queue.js';
import {
  validateDb,
  validateDbKeys,
  type LogupDbRead,
  type LogupDbSchema,
  type LogupDbType,
  type LogupDbWrite,
  type LogupRegisteredDb,
} from './db/logup.db-schema.js';
import { dbCall, refusedUpdate } from './db/logup.db-calls.js';
import { LogupDbSchemaError, LogupValidationError, type LogupError } from './errors/logup.errors.js';
import { malformedAnswer } from './errors/logup.api-errors.js';
import type { LogupRequest, LogupResponse, LogupTransport } from './http/logup.transport.js';
import { assertDbKeys, dbUpdateIssues, isPlainObject, parseDb, type LogupDb } from './logup.validation.js';

/** What a subscription is made of (see {@link LogupSubscription}). */
export interface LogupSubscriptionData<TDb extends LogupDbType = LogupRegisteredDb> {
  idSubscription: string;
  idActor?: string;
  isNewUser?: boolean;
  db?: LogupDbRead<TDb>;
}

/** A `changeDb` function: changes the draft in place, or returns the new DB. Synchronous. */
export type LogupDbChange<TDb extends LogupDbType = LogupRegisteredDb> = (
  db: LogupDbRead<TDb>,
) => LogupDbRead<TDb> | void;

const BRAND = Symbol.for('nestjs-logup.subscription');
const ownHasInstance = Function.prototype[Symbol.hasInstance];

/**
 * A visitor's membership of your gate, and its key-value DB. Obtained from
 * `LogupService.verify()` (with `idActor` and `isNewUser`), from
 * `LogupService.subscription(id)`, or in a controller with `@Subscription()`.
 * Each instance stands alone: concurrent logins never share one.
 *
 * `TDb` types the DB: the `dbSchema` registered with `LogupRegister` by default (no
 * generic to write), or `typeof someSchema`, or a type written by hand such as
 * `{ plan: string; seats: number }` (nothing checks that one, so reads are `Partial`).
 * With a `dbSchema`, every DB read from LogUp is validated (the schema's defaults
 * apply; a DB that still does not match throws `LogupDbSchemaError`).
 */
export class LogupSubscription<TDb extends LogupDbType = LogupRegisteredDb> {
  /** LogUp's subscription id (`sub_...`). */
  readonly idSubscription: string;
  /** LogUp's actor id (`acr_...`), when known (from a verification). */
  readonly idActor?: string;
  /** What the visitor said on LogUp's page (`isNewUser` of the callback URL), when known. */
  readonly isNewUser?: boolean;
  #db?: Readonly<LogupDbRead<TDb>>;
  readonly #transport: LogupTransport;
  readonly #schema?: LogupDbSchema;

  /** @internal Use `LogupService.verify()` or `LogupService.subscription()`. */
  constructor(transport: LogupTransport, data: LogupSubscriptionData<TDb>, dbSchema?: LogupDbSchema) {
    this.#transport = transport;
    this.#schema = dbSchema;
    this.idSubscription = data.idSubscription;
    if (data.idActor !== undefined) this.idActor = data.idActor;
    if (data.isNewUser !== undefined) this.isNewUser = data.isNewUser;
    if (data.db) this.#db = Object.freeze({ ...data.db });
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** Recognises subscriptions made by another copy of the library (CommonJS and ESM in one process). */
  static [Symbol.hasInstance](value: unknown): boolean {
    return ownHasInstance.call(this, value) || (value as Record<symbol, unknown> | null)?.[BRAND] === true;
  }

  /**
   * The DB as last seen: from the verification, or the latest full read, update,
   * delete or change. Undefined before any, or when the verification's DB did not
   * match the `dbSchema` (then `getDb()` throws the `LogupDbSchemaError` that says why).
   */
  get db(): Readonly<LogupDbRead<TDb>> | undefined {
    return this.#db;
  }

  /**
   * Reads the DB from LogUp; with `keys`, only those keys (absent keys are left out;
   * with a `dbSchema`, each key read is checked, and its value is the stored one: no
   * default or transform, which need the whole DB).
   * @throws LogupDbSchemaError when the DB does not match the `dbSchema`.
   * @example const { country } = await subscription.getDb(['country']);
   */
  async getDb(): Promise<LogupDbRead<TDb>>;
  async getDb<K extends keyof LogupDbRead<TDb> & string>(keys: K[]): Promise<Partial<LogupDbRead<TDb>>>;
  async getDb(keys?: string[]): Promise<Partial<LogupDbRead<TDb>>> {
    if (keys !== undefined) assertDbKeys(keys, 'DB read', false);
    const request = dbCall.read(this.idSubscription, keys);
    const raw = await this.#send(request);
    if (keys === undefined) return this.#remember(request.operation, raw);
    const issues = this.#schema ? await validateDbKeys(this.#schema, raw) : [];
    if (issues.length > 0) throw new LogupDbSchemaError(request.operation, this.idSubscription, issues);
    return raw as Partial<LogupDbRead<TDb>>;
  }

  /**
   * Adds or overwrites keys (others are kept) and returns the whole DB. Every key is
   * checked first against LogUp's limits and the `dbSchema` (each key on its own);
   * any problem throws one `LogupValidationError` listing them all, and nothing is sent.
   * Writes of one subscription in one process are applied in call order.
   * @example await subscription.updateDb({ country: 'italy', age: 21, alreadySubscribed: true });
   */
  async updateDb(data: LogupDbWrite<TDb>): Promise<LogupDbRead<TDb>> {
    const issues = dbUpdateIssues(data);
    if (this.#schema && isPlainObject(data)) issues.push(...(await validateDbKeys(this.#schema, data as LogupDb)));
    if (issues.length > 0) throw new LogupValidationError('DB update', issues);
    return inOrder(this.#transport, this.idSubscription, () => this.#put(data as LogupDb, 'updateDb'));
  }

  /** Deletes keys and returns the DB without them (LogUp answers 204; the DB is then read again). */
  async deleteDbValues(keys: (keyof LogupDbRead<TDb> & string)[]): Promise<LogupDbRead<TDb>> {
    assertDbKeys(keys, 'DB delete', true);
    return inOrder(this.#transport, this.idSubscription, async () => {
      await this.#delete(keys);
      return this.#remember('deleteDbValues', await this.#send(dbCall.read(this.idSubscription)), true);
    });
  }

  /**
   * Changes the DB safely: reads it, lets `change` edit a copy (or return a new DB),
   * checks the result (the whole DB against the `dbSchema`, the keys against LogUp's
   * limits), then sends only what changed: changed keys (PUT, which LogUp merges by
   * key) and removed ones (DELETE). So writers of different keys never undo each
   * other, and the changes of one subscription in one process run one after another.
   * Across processes the same key is last-writer-wins: LogUp has no version check.
   * @param change synchronous; a key deleted or set to `undefined` is removed.
   * @returns the DB after the change (unchanged, and nothing sent, when nothing changed).
   * @throws LogupValidationError (nothing sent), LogupDbSchemaError (the DB read does not match).
   * @example await subscription.changeDb((db) => { db.credits = (db.credits ?? 0) + 10; });
   */
  async changeDb(change: LogupDbChange<TDb>): Promise<LogupDbRead<TDb>> {
    if (typeof change !== 'function') {
      throw new LogupValidationError('DB change', [{ path: 'change', message: 'must be a function' }]);
    }
    return inOrder(this.#transport, this.idSubscription, async () => {
      const before = (await this.getDb()) as LogupDb;
      const draft = { ...before };
      const returned = change(draft as LogupDbRead<TDb>) as unknown;
      if (typeof (returned as PromiseLike<unknown> | undefined)?.then === 'function') {
        (returned as Promise<unknown>).then(undefined, () => undefined);
        throw new LogupValidationError('DB change', [
          { path: 'change', message: 'must be synchronous: compute what you need first, then change the DB' },
        ]);
      }
      const plan = await planDbChange(before, returned === undefined ? draft : returned, this.#schema);
      const putKeys = Object.keys(plan.put).length;
      if (putKeys === 0 && plan.remove.length === 0) return before as LogupDbRead<TDb>;
      // Removals first: they make room under the 20-key limit for the keys added.
      if (plan.remove.length > 0) await this.#delete(plan.remove);
      if (putKeys > 0) return this.#put(plan.put, 'changeDb');
      return this.#remember('changeDb', await this.#send(dbCall.read(this.idSubscription)), true);
    });
  }

  /** The public fields only: `{ idSubscription, idActor, isNewUser, db }`. */
  toJSON(): LogupSubscriptionData<TDb> {
    return {
      idSubscription: this.idSubscription,
      idActor: this.idActor,
      isNewUser: this.isNewUser,
      db: this.#db as LogupDbRead<TDb>,
    };
  }

  /** PUTs keys; `caller` names the method in a `LogupDbSchemaError`. */
  async #put(data: LogupDb, caller: string): Promise<LogupDbRead<TDb>> {
    const request = dbCall.update(this.idSubscription, data);
    return this.#remember(caller, await this.#send(request, (error) => refusedUpdate(error, data)), true);
  }

  async #delete(keys: string[]): Promise<void> {
    await this.#transport.request(dbCall.delete(this.idSubscription, keys));
  }

  /** Sends a call that LogUp answers with a DB; the DB as LogUp holds it. `refused` may explain a 400. */
  async #send(request: LogupRequest, refused?: (error: LogupError) => LogupError): Promise<LogupDb> {
    let response: LogupResponse;
    try {
      response = await this.#transport.request(request);
    } catch (error) {
      throw refused ? refused(error as LogupError) : error;
    }
    const db = parseDb(response.body);
    if (!db) {
      const problem = 'its DB is not a flat object of strings, finite numbers and booleans';
      throw malformedAnswer(request.operation, response.status, problem);
    }
    return db;
  }

  /** Validates a whole DB with the schema (if any) and keeps it as the snapshot. */
  async #remember(operation: string, raw: LogupDb, applied = false): Promise<LogupDbRead<TDb>> {
    let db = raw;
    if (this.#schema) {
      const checked = await validateDb(this.#schema, raw);
      if ('issues' in checked) throw new LogupDbSchemaError(operation, this.idSubscription, checked.issues, applied);
      db = checked.value;
    }
    this.#db = Object.freeze({ ...db }) as Readonly<LogupDbRead<TDb>>;
    return db as LogupDbRead<TDb>;
  }
}
