import { UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { httpPairOf } from '../login/logup.request.js';
import { LOGUP_DB_LIMITS } from '../logup.constants.js';
import { attachLogin } from '../login/logup.request.js';
import { LogupSubscription } from '../logup.subscription.js';
import { expectedAnswer, type LogupRequest, type LogupResponse, type LogupTransport } from '../http/logup.transport.js';
import type { LogupDb, LogupDbValue } from '../logup.validation.js';
import type { LogupDbSchema, LogupDbType, LogupRegisteredDb } from '../db/logup.db-schema.js';

/**
 * Stands in for LogUp's DB endpoints, in memory, with LogUp's semantics: reads
 * (optionally by keys), merging updates (at most 20 keys in all, else 400
 * `TOO_MANY_KEYS`), deletes. The limits on keys and values are checked by
 * `LogupSubscription` itself, exactly as against LogUp.
 */
class InMemoryDbTransport implements LogupTransport {
  private db: Map<string, LogupDbValue>;

  constructor(db: LogupDb) {
    this.db = new Map(Object.entries(db));
  }

  request(request: LogupRequest): Promise<LogupResponse> {
    return new Promise((resolve) => resolve(expectedAnswer(request, this.#answer(request))));
  }

  #answer(request: LogupRequest): LogupResponse {
    const body = request.body as { data?: { key: string; value: LogupDbValue }[]; keys?: string[] } | undefined;
    if (request.method === 'PUT') {
      const next = new Map(this.db);
      for (const { key, value } of body?.data ?? []) next.set(key, value);
      if (next.size > LOGUP_DB_LIMITS.maxKeys) {
        return { status: 400, body: { errorMessage: 'TOO_MANY_KEYS' } };
      }
      this.db = next;
    } else if (request.method === 'DELETE') {
      for (const key of body?.keys ?? []) this.db.delete(key);
      return { status: 204, body: undefined };
    }
    const query = /[?&]keys=([^&]*)/.exec(request.path)?.[1];
    const keys = query === undefined ? undefined : query.split(',').map(decodeURIComponent);
    return { status: 200, body: Object.fromEntries([...this.db].filter(([key]) => !keys || keys.includes(key))) };
  }
}

/** What {@link createTestSubscription} builds a subscription from; every field optional. */
export interface LogupTestSubscriptionData<TSchema extends LogupDbSchema | undefined = undefined> {
  idSubscription?: string;
  idActor?: string;
  isNewUser?: boolean;
  /** The DB as LogUp would hold it. Default `{}`. */
  db?: LogupDb;
  /** The app's `dbSchema`: reads are validated and writes checked, as with `forRoot({ dbSchema })`. */
  dbSchema?: TSchema;
}

/**
 * A `LogupSubscription` whose DB lives in memory, for unit tests that need no
 * server: `getDb`, `updateDb`, `deleteDbValues` and `changeDb` behave as against
 * LogUp, limits, `dbSchema` and errors included; typed from `dbSchema` when given.
 * @example
 * const subscription = createTestSubscription({ idActor: 'acr_test', db: { plan: 'pro' } });
 * await subscription.updateDb({ seats: 3 }); // { plan: 'pro', seats: 3 }
 */
export function createTestSubscription<TSchema extends LogupDbSchema>(
  data: LogupTestSubscriptionData<TSchema> & { dbSchema: TSchema },
): LogupSubscription<TSchema>;
export function createTestSubscription<TDb extends LogupDbType = LogupRegisteredDb>(
  data?: LogupTestSubscriptionData<LogupDbSchema | undefined>,
): LogupSubscription<TDb>;
export function createTestSubscription(
  data: LogupTestSubscriptionData<LogupDbSchema | undefined> = {},
): LogupSubscription<LogupDb> {
  // The snapshot is the DB as given; with a schema, the first read validates it.
  return new LogupSubscription<LogupDb>(
    new InMemoryDbTransport(data.db ?? {}),
    {
      idSubscription: data.idSubscription ?? 'sub_test',
      idActor: data.idActor ?? 'acr_test',
      isNewUser: data.isNewUser ?? false,
      db: data.dbSchema ? undefined : (data.db ?? {}),
    },
    data.dbSchema,
  );
}

/**
 * Replaces `LogupGuard` in unit tests: attaches the given subscription to every
 * request (so `@Subscription()` works), or answers 401 when given none.
 * @example
 * Test.createTestingModule({ controllers: [AccountController] })
 *   .overrideGuard(LogupGuard)
 *   .useValue(new LogupTestGuard(createTestSubscription({ db: { plan: 'pro' } })));
 */
export class LogupTestGuard implements CanActivate {
  /**
   * @param subscription the visitor to attach; none: every request gets 401.
   * @param gate the gate it stands for (`'default'` unless `forRoot({ name })`).
   */
  constructor(
    private readonly subscription?: LogupSubscription,
    private readonly gate = 'default',
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (!this.subscription) throw new UnauthorizedException('Log in with LogUp first');
    attachLogin(httpPairOf(context).request, this.gate, this.subscription);
    return true;
  }
}
