import { Inject, Injectable, Logger } from '@nestjs/common';
import { LogupApiClient } from './http/logup-api.client.js';
import { LOGUP_CONFIG } from './logup.constants.js';
import type { LogupError } from './errors/logup.errors.js';
import { LogupCrossSiteLoginException } from './login/logup.exceptions.js';
import { LOGUP_MESSAGES } from './errors/logup.messages.js';
import { crossSiteStartProblem } from './login/logup.request-origin.js';
import { persistOrUnavailable } from './session/logup.session-store.js';
import type { LogupConfig } from './options/logup-module-options.interface.js';
import {
  endLogin,
  readLogin,
  startPendingLogin,
  type LogupPendingLogin,
  type LogupSessionValue,
} from './session/logup.session.js';
import { verificationDb, type LogupDbRead, type LogupDbType, type LogupRegisteredDb } from './db/logup.db-schema.js';
import { LogupSubscription } from './logup.subscription.js';
import { loginInSession, signOutSubscription } from './session/logup.revocation.js';
import { connectSocket, endSocketsOf, type LogupSocketClient } from './sockets/logup.ws-context.js';
import type { IncomingMessage } from 'node:http';
import { assertId, assertVerifyInput, readVerificationAnswer } from './logup.validation.js';

/** A subscription just verified: `idActor` and `isNewUser` are known. */
export type LogupVerifiedSubscription<TDb extends LogupDbType = LogupRegisteredDb> = LogupSubscription<TDb> & {
  readonly idActor: string;
  readonly isNewUser: boolean;
};

/** The outcome of {@link LogupService.verify}. */
export type LogupVerification<TDb extends LogupDbType = LogupRegisteredDb> =
  { verified: true; subscription: LogupVerifiedSubscription<TDb> } | { verified: false; errorMessage: string };

/** The result of a health probe. */
export interface LogupConnectionCheck {
  latencyMs: number;
  /** When LogUp was last actually reached (epoch ms). */
  checkedAt: number;
  /** True when this is the result of an earlier probe (see `healthCheckIntervalMs`). */
  cached: boolean;
}

/** Verifies LogUp callback tokens and gives access to subscriptions, their DBs and the login session. */
@Injectable()
export class LogupService {
  readonly #client: LogupApiClient;
  readonly #config: LogupConfig;
  readonly #logger = new Logger('LogupService');
  #lastCheck?: { at: number; result?: LogupConnectionCheck; error?: unknown };
  #inFlightCheck?: Promise<LogupConnectionCheck>;

  constructor(client: LogupApiClient, @Inject(LOGUP_CONFIG) config: LogupConfig) {
    this.#client = client;
    this.#config = config;
  }

  /**
   * Verifies the `logupToken` of a callback URL with LogUp. A token is single-use, so
   * the call is not repeated once it may have reached LogUp, with one exception: a
   * pooled connection found closed before any answer byte is tried once more on a
   * fresh one (had LogUp seen the token, the answer is "not verified", never two logins).
   * @param isNewUser the callback's `isNewUser`, kept beside the subscription (not sent).
   * @returns `{ verified: true, subscription }`, or `{ verified: false, errorMessage }` with LogUp's reason.
   * @throws LogupValidationError for a malformed token (nothing is sent);
   *   LogupUnavailableError (`notSent: true` when the token provably never left),
   *   LogupCredentialsError or LogupApiError when LogUp cannot answer; LogupApiError
   *   with `errorMessage` `MALFORMED_ANSWER` when its answer breaks the contract (bad ids, bad DB).
   * @example
   * const result = await logup.verify(query.logupToken, query.isNewUser === 'true');
   * if (result.verified) console.log(result.subscription.idSubscription);
   */
  async verify<TDb extends LogupDbType = LogupRegisteredDb>(
    logupToken: string,
    isNewUser: boolean,
  ): Promise<LogupVerification<TDb>> {
    assertVerifyInput(logupToken, isNewUser);
    const request = {
      method: 'POST',
      path: '/verification',
      body: { logupToken },
      operation: 'verification',
      idempotent: false,
      secrets: [logupToken],
      // LogUp's "not verified" answers; any other error status is thrown by the client.
      accept: [400, 403],
    } as const;
    const { status, body } = await this.#client.request(request);
    const answer = readVerificationAnswer(status, body, logupToken);
    if (!answer.verified) return answer;
    const { idSubscription, idActor, db } = answer;
    const subscription = new LogupSubscription<TDb>(
      this.#client,
      {
        idSubscription,
        idActor,
        isNewUser,
        db: (await verificationDb(this.#config.dbSchema, idSubscription, db)) as LogupDbRead<TDb> | undefined,
      },
      this.#config.dbSchema,
    );
    return { verified: true, subscription: subscription as LogupVerifiedSubscription<TDb> };
  }

  /**
   * A subscription by id, to work on any visitor's DB (the Python SDK's
   * `subscription_custom`). `idActor` and `isNewUser` are only carried along.
   */
  subscription<TDb extends LogupDbType = LogupRegisteredDb>(
    idSubscription: string,
    options: { idActor?: string; isNewUser?: boolean } = {},
  ): LogupSubscription<TDb> {
    assertId(idSubscription, 'idSubscription');
    if (options.idActor !== undefined) assertId(options.idActor, 'idActor');
    return new LogupSubscription<TDb>(
      this.#client,
      {
        idSubscription,
        idActor: options.idActor,
        isNewUser: typeof options.isNewUser === 'boolean' ? options.isNewUser : undefined,
      },
      this.#config.dbSchema,
    );
  }

  /**
   * Starts a login: records a pending login in the visitor's session, which
   * `LogupGuard` requires on the callback (login CSRF defence, `loginBinding`). Call
   * it in the route that sends the visitor to LogUp — a POST from a form of your own
   * site (README, Security). In `'nonce'` mode, add the returned `nonce` to the
   * callback URL under the returned `nonceQueryParam`.
   * Resolves once the session is saved, so the answer never outruns the session store:
   * `await` it before redirecting.
   * @returns the pending login, or undefined when the request has no session.
   * @throws LogupSessionUnavailableException (503) when the session store fails.
   * @throws LogupCrossSiteLoginException (403) when another site initiated the request
   *   (an `Origin` other than the app's or `trustedOrigins`, or `Sec-Fetch-Site:
   *   cross-site`/`same-site`): another site must not be able to start a login that
   *   its own forged callback could then finish. Nothing is written to the session.
   * @example
   * `@Post('logup/login') @Redirect() async login(@Req() req) { await this.logup.startLogin(req); return { url: LOGUP_LOGIN_URL, statusCode: 303 }; }`
   */
  async startLogin(request: unknown): Promise<(LogupPendingLogin & { nonceQueryParam: string }) | undefined> {
    const crossSite = crossSiteStartProblem(request, this.#config);
    if (crossSite) {
      this.#logger.warn(LOGUP_MESSAGES.crossSiteStartLog(crossSite));
      throw new LogupCrossSiteLoginException();
    }
    const pending = await this.#persisting(request, 'a pending login', () => startPendingLogin(request, this.#config));
    return pending && { ...pending, nonceQueryParam: this.#config.nonceQueryParam };
  }

  /** Runs a session write; a session store failure becomes a 503 (the cause is logged). */
  #persisting<T>(request: unknown, what: string, write: () => Promise<T>): Promise<T> {
    return persistOrUnavailable(request, what, write, this.#logger);
  }

  /**
   * The visitor's current login from the session (ids, `sid`, `issuedAt`), as the guard
   * sees it: undefined when there is none, or it expired, or it was logged out.
   */
  currentLogin(request: unknown): Promise<LogupSessionValue | undefined> {
    return readLogin(request, this.#config);
  }

  /**
   * Logs the visitor out: clears what `LogupGuard` keeps under the configured
   * `sessionKey`, and revokes that login on the server so a copy of the old session
   * cookie no longer works. Resolves to whether a login was ended, once the session
   * is saved.
   * @throws LogupSessionUnavailableException (503) when the session store fails.
   */
  async logout(request: unknown): Promise<boolean> {
    const login = loginInSession(request, this.#config);
    const ended = await this.#persisting(request, 'a logout', () => endLogin(request, this.#config));
    if (ended && login) endSocketsOf(this.#config, login.idSubscription, login.sid);
    return ended;
  }

  /**
   * Ends every login of the subscription, on every device and replica: sessions issued
   * at or before this moment are refused by every guard (one record in
   * `sessionRevocation`, whatever the number of sessions), and this process's open
   * gateway sockets of the subscription are closed (other replicas' refuse their next
   * message). Logins made afterwards work. With several replicas, their clocks must agree.
   * @throws LogupValidationError for a malformed id;
   *   LogupError `LOGUP_CONFIGURATION` when the `sessionRevocation` store has no `revokeSubscription`.
   */
  async signOutEverywhere(idSubscription: string): Promise<void> {
    assertId(idSubscription, 'idSubscription');
    await signOutSubscription(this.#config, idSubscription);
    endSocketsOf(this.#config, idSubscription);
  }

  /**
   * Authenticates a gateway socket when it connects: call it in the gateway's
   * `handleConnection(client, request)` (socket.io and `ws`; `ws` needs the `request`).
   * A socket without a login, or with a `logupToken` in its URL, gets an `exception`
   * `{ status: 'error', message }` and is closed (with `{ optional: true }`, one
   * without a login stays open). Resolves to the visitor's subscription, or undefined.
   * The session is read as `useLogupSockets(app)` set up.
   */
  authenticateSocket(
    client: LogupSocketClient,
    request?: IncomingMessage,
    options: { optional?: boolean } = {},
  ): Promise<LogupSubscription | undefined> {
    const subscriptionFor = (value: LogupSessionValue) =>
      this.subscription(value.idSubscription, { idActor: value.idActor, isNewUser: value.isNewUser });
    return connectSocket(client, request, this.#config, subscriptionFor, options.optional === true);
  }

  /**
   * Checks that LogUp answers and accepts the gate credentials, by fetching a fresh
   * access token (which then serves every other call). A probe ends within one
   * `timeoutMs` (a LogUp that never answers is reported then, not after the retries
   * an ordinary call would make). At most one probe per `healthCheckIntervalMs`;
   * between probes the last result (or error) is returned.
   * @throws LogupCredentialsError when the credentials are refused; LogupUnavailableError when LogUp cannot answer.
   */
  async checkConnection(): Promise<LogupConnectionCheck> {
    const last = this.#lastCheck;
    if (last && Date.now() - last.at < this.#config.healthCheckIntervalMs) {
      if (last.error !== undefined) throw last.error as LogupError;
      return { ...last.result!, cached: true };
    }
    this.#inFlightCheck ??= this.#probe().finally(() => {
      this.#inFlightCheck = undefined;
    });
    return this.#inFlightCheck;
  }

  async #probe(): Promise<LogupConnectionCheck> {
    const started = Date.now();
    try {
      await this.#client.renewAccessToken();
      const result = { latencyMs: Date.now() - started, checkedAt: started, cached: false };
      this.#lastCheck = { at: started, result };
      return result;
    } catch (error) {
      this.#lastCheck = { at: started, error };
      throw error;
    }
  }

  /** Nothing secret in a log line or a JSON dump. */
  toJSON(): Record<string, unknown> {
    return { idGate: this.#config.idGate, apiUrl: this.#config.apiUrl };
  }
}
