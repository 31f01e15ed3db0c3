import { malformedAnswer } from './logup.errors.js';
import type { LogupResponse, LogupTransport } from './logup.transport.js';
import { assertDbKeys, assertDbUpdate, parseDb, type LogupDb, type LogupDbValue } from './logup.validation.js';

/** What a subscription is made of (see {@link LogupSubscription}). */
export interface LogupSubscriptionData<TDb extends LogupDb = LogupDb> {
  idSubscription: string;
  idActor?: string;
  isNewUser?: boolean;
  db?: Partial<TDb>;
}

const BRAND = Symbol.for('nestjs-logup.subscription');
const ownHasInstance = Function.prototype[Symbol.hasInstance];
const is2xx = (status: number) => status >= 200 && status < 300;

/**
 * A visitor's membership of your gate, and its key-value DB. Obtained from
 * `LogupService.verify()` (with `idActor` and `isNewUser`), from
 * `LogupService.subscription(id)`, or in a controller with `@Subscription()`.
 * Each instance stands alone: concurrent logins never share one.
 *
 * `TDb` declares the DB's keys and value types, e.g.
 * `LogupSubscription<{ plan: string; seats: number }>`; LogUp does not enforce it, so
 * every read returns `Partial<TDb>`.
 */
export class LogupSubscription<TDb extends LogupDb = LogupDb> {
  /** LogUp's subscription id (`sub_...`). */
  readonly idSubscription: string;
  /** LogUp's actor id (`acr_...`), when known (from a verification). */
  readonly idActor?: string;
  /** What the visitor said on LogUp's page (`isNewUser` of the callback URL), when known. */
  readonly isNewUser?: boolean;
  #db?: Readonly<Partial<TDb>>;
  readonly #transport: LogupTransport;

  /** @internal Use `LogupService.verify()` or `LogupService.subscription()`. */
  constructor(transport: LogupTransport, data: LogupSubscriptionData<TDb>) {
    this.#transport = transport;
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

  /** The DB as last seen: from the verification, or the latest full read, update or delete. */
  get db(): Readonly<Partial<TDb>> | undefined {
    return this.#db;
  }

  /**
   * Reads the DB from LogUp; with `keys`, only those keys (absent keys are left out).
   * @example const { country } = await subscription.getDb(['country']);
   */
  async getDb<K extends keyof TDb & string>(keys?: K[]): Promise<Partial<TDb>> {
    let query = '';
    if (keys !== undefined) {
      assertDbKeys(keys, 'DB read', false);
      query = `?keys=${keys.map(encodeURIComponent).join(',')}`;
    }
    const request = { method: 'GET', path: `${this.#dbPath()}${query}`, operation: 'getDb', idempotent: true } as const;
    const db = this.#expectDb(request.operation, await this.#transport.request(request));
    if (keys === undefined) this.#db = Object.freeze({ ...db });
    return db;
  }

  /**
   * Adds or overwrites keys (others are kept) and returns the whole DB.
   * Limits are checked first; a violation throws `LogupValidationError` and sends nothing.
   * @example await subscription.updateDb({ country: 'italy', age: 21, alreadySubscribed: true });
   */
  async updateDb(data: Partial<TDb> & Record<string, LogupDbValue>): Promise<Partial<TDb>> {
    assertDbUpdate(data);
    const body = { data: Object.keys(data).map((key) => ({ key, value: data[key] })) };
    const request = { method: 'PUT', path: this.#dbPath(), body, operation: 'updateDb', idempotent: true } as const;
    const db = this.#expectDb(request.operation, await this.#transport.request(request));
    this.#db = Object.freeze({ ...db });
    return db;
  }

  /** Deletes keys and returns the DB without them (LogUp answers 204; the DB is then read again). */
  async deleteDbValues(keys: (keyof TDb & string)[]): Promise<Partial<TDb>> {
    assertDbKeys(keys, 'DB delete', true);
    const request = {
      method: 'DELETE',
      path: this.#dbPath(),
      body: { keys: [...new Set(keys)] },
      operation: 'deleteDbValues',
      idempotent: true,
    } as const;
    const response = await this.#transport.request(request);
    if (!is2xx(response.status)) throw this.#transport.errorFor(request, response);
    return this.getDb();
  }

  /** The public fields only: `{ idSubscription, idActor, isNewUser, db }`. */
  toJSON(): LogupSubscriptionData<TDb> {
    return { idSubscription: this.idSubscription, idActor: this.idActor, isNewUser: this.isNewUser, db: this.#db };
  }

  #dbPath(): string {
    return `/subscription/${encodeURIComponent(this.idSubscription)}/db`;
  }

  #expectDb(operation: string, response: LogupResponse): Partial<TDb> {
    if (!is2xx(response.status)) throw this.#transport.errorFor({ operation }, response);
    const db = parseDb(response.body);
    if (!db)
      throw malformedAnswer(
        operation,
        response.status,
        'its DB is not a flat object of strings, finite numbers and booleans',
      );
    return db as Partial<TDb>;
  }
}
