import type { LogupApiClient, LogupResponse } from './logup-api.client.js';
import { reasonOf } from './logup-api.client.js';
import { LogupApiError, LogupUnavailableError, LogupValidationError } from './logup.errors.js';
import type { LogupConfig } from './logup-module-options.interface.js';
import { assertDbKeys, assertDbUpdate, parseDb, type LogupDb } from './logup.validation.js';

/** What a subscription is made of (see {@link LogupSubscription}). */
export interface LogupSubscriptionData {
  idSubscription: string;
  idActor?: string;
  isNewUser?: boolean;
  db?: LogupDb;
}

/**
 * A visitor's membership of your gate, and its key-value DB. Obtained from
 * `LogupService.verify()` (with `idActor` and `isNewUser`), from
 * `LogupService.subscription(id)`, or in a controller with `@Subscription()`.
 * Each instance stands alone: concurrent logins never share one.
 */
export class LogupSubscription {
  /** LogUp's subscription id (`sub_...`). */
  readonly idSubscription: string;
  /** LogUp's actor id (`acr_...`), when known (from a verification). */
  readonly idActor?: string;
  /** What the visitor said on LogUp's page (`isNewUser` of the callback URL), when known. */
  readonly isNewUser?: boolean;
  #db?: Readonly<LogupDb>;
  readonly #client: LogupApiClient;
  readonly #config: LogupConfig;

  /** @internal Use `LogupService.verify()` or `LogupService.subscription()`. */
  constructor(client: LogupApiClient, config: LogupConfig, data: LogupSubscriptionData) {
    this.#client = client;
    this.#config = config;
    this.idSubscription = data.idSubscription;
    if (data.idActor !== undefined) this.idActor = data.idActor;
    if (data.isNewUser !== undefined) this.isNewUser = data.isNewUser;
    if (data.db) this.#db = Object.freeze({ ...data.db });
  }

  /** The DB as last seen: from the verification, or the latest full read, update or delete. */
  get db(): Readonly<LogupDb> | undefined {
    return this.#db;
  }

  /**
   * Reads the DB from LogUp; with `keys`, only those keys (absent keys are left out).
   * @example const { country } = await subscription.getDb(['country']);
   */
  async getDb(keys?: string[]): Promise<LogupDb> {
    let query = '';
    if (keys !== undefined) {
      assertDbKeys(keys, 'DB read', false);
      query = `?keys=${keys.map(encodeURIComponent).join(',')}`;
    }
    const path = this.dbPath('getDb');
    const response = await this.#client.request({
      method: 'GET',
      path: `${path}${query}`,
      operation: 'getDb',
      idempotent: true,
    });
    const db = this.expectDb(response, 'getDb', 200);
    if (keys === undefined) this.#db = Object.freeze({ ...db });
    return db;
  }

  /**
   * Adds or overwrites keys (others are kept) and returns the whole DB.
   * Limits are checked first; a violation throws `LogupValidationError` and sends nothing.
   * @example await subscription.updateDb({ country: 'italy', age: 21, alreadySubscribed: true });
   */
  async updateDb(data: Record<string, string | number | boolean>): Promise<LogupDb> {
    assertDbUpdate(data);
    const path = this.dbPath('updateDb');
    const body = { data: Object.keys(data).map((key) => ({ key, value: data[key] })) };
    const response = await this.#client.request({ method: 'PUT', path, body, operation: 'updateDb', idempotent: true });
    const db = this.expectDb(response, 'updateDb', 200);
    this.#db = Object.freeze({ ...db });
    return db;
  }

  /** Deletes keys and returns the DB without them (LogUp answers 204; the DB is then read again). */
  async deleteDbValues(keys: string[]): Promise<LogupDb> {
    assertDbKeys(keys, 'DB delete', true);
    const path = this.dbPath('deleteDbValues');
    const response = await this.#client.request({
      method: 'DELETE',
      path,
      body: { keys: [...new Set(keys)] },
      operation: 'deleteDbValues',
      idempotent: true,
    });
    if (response.status !== 204 && response.status !== 200) {
      throw new LogupApiError('deleteDbValues', response.status, reasonOf(response.body, response.status));
    }
    return this.getDb();
  }

  /** The public fields only: `{ idSubscription, idActor, isNewUser, db }`. */
  toJSON(): LogupSubscriptionData {
    return { idSubscription: this.idSubscription, idActor: this.idActor, isNewUser: this.isNewUser, db: this.#db };
  }

  private dbPath(operation: string): string {
    if (this.#config.dbAddressing === 'actor') {
      if (this.idActor === undefined) {
        throw new LogupValidationError(operation, [
          { path: 'idActor', message: `is required: apiVersion ${this.#config.apiVersion} addresses the DB by actor` },
        ]);
      }
      return `/actor/${encodeURIComponent(this.idActor)}/db`;
    }
    return `/subscription/${encodeURIComponent(this.idSubscription)}/db`;
  }

  private expectDb(response: LogupResponse, operation: string, status: number): LogupDb {
    if (response.status !== status) {
      throw new LogupApiError(operation, response.status, reasonOf(response.body, response.status));
    }
    const db = parseDb(response.body);
    if (!db) throw new LogupUnavailableError(operation, 'malformed_response', 'the answer is not a DB object');
    return db;
  }
}
