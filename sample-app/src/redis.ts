import { Logger, ServiceUnavailableException } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { LogupSessionRevocationStore } from 'nestjs-logup';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { createClient } from 'redis';
import { SampleConfigError } from './sample.config.js';

/**
 * The state several replicas of the sample app share, in one Redis (REDIS_URL):
 * sessions (see redis-session.ts), the callback's rate limit and the library's
 * logged-out sessions. Without REDIS_URL the app keeps its single-process
 * defaults (signed-cookie sessions, in-memory rate limit and revocation).
 */
export interface SharedStateSettings {
  /** `redis://host:port[/db]`; unset: no shared state. */
  redisUrl?: string;
  /** Names this replica in an `X-Replica` header on every answer; unset: no header. */
  replicaId?: string;
}

/** The message of the 503 answered while Redis cannot be reached. */
export const REDIS_DOWN_MESSAGE =
  'The site cannot reach its session store right now, so nobody can be logged in or out. ' +
  'Nothing was changed; please try again in a few seconds.';

/** Seconds a client is told to wait (Retry-After) while Redis is down. */
export const REDIS_RETRY_AFTER_SECONDS = 5;

/** A 503 for a Redis failure, which the app's error filter renders as a page. */
export function redisUnavailable(): ServiceUnavailableException {
  return new ServiceUnavailableException(REDIS_DOWN_MESSAGE);
}

/** Reads REDIS_URL and REPLICA_ID; refuses a REDIS_URL that is not a redis:// URL. */
export function sharedStateSettings(env: NodeJS.ProcessEnv): SharedStateSettings {
  const redisUrl = env.REDIS_URL?.trim() || undefined;
  if (redisUrl !== undefined) {
    const url = URL.canParse(redisUrl) ? new URL(redisUrl) : undefined;
    if (!url || !['redis:', 'rediss:'].includes(url.protocol)) {
      throw new SampleConfigError('REDIS_URL must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379');
    }
  }
  const replicaId = env.REPLICA_ID?.trim() || undefined;
  if (replicaId !== undefined && !/^[\w.-]{1,64}$/.test(replicaId)) {
    throw new SampleConfigError('REPLICA_ID must be 1-64 letters, digits, dots, dashes or underscores');
  }
  return { redisUrl, replicaId };
}

/**
 * How long one Redis command may take, and one connection attempt, in ms. Short on
 * purpose: a request that needs Redis answers 503 quickly instead of hanging.
 * (node-redis's own `commandOptions.timeout` only covers a command not yet sent,
 * so a connected but frozen Redis would hang it: {@link withDeadline} bounds the wait.)
 */
const COMMAND_TIMEOUT_MS = 1000;
const CONNECT_TIMEOUT_MS = 1000;

export type SampleRedisClient = ReturnType<typeof createSampleRedisClient>;

/**
 * One node-redis client for everything: no offline queue (a command while Redis is
 * down fails at once instead of piling up), short command and connect timeouts, and
 * reconnection forever with a capped backoff, so the app recovers by itself.
 */
export function createSampleRedisClient(url: string) {
  return createClient({
    url,
    disableOfflineQueue: true,
    commandOptions: { timeout: COMMAND_TIMEOUT_MS },
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      reconnectStrategy: (retries: number) => Math.min(100 * 2 ** Math.min(retries, 4), 1000),
    },
  });
}

/**
 * The client, each of whose commands rejects after `ms` if Redis has not answered
 * (the command itself stays queued in the client; its late answer is ignored).
 */
export function withDeadline(client: SampleRedisClient, ms: number): SampleRedisClient {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (!(result instanceof Promise)) return result;
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
        });
        return Promise.race([result, deadline]).finally(() => clearTimeout(timer));
      };
    },
  });
}

/**
 * The library's `sessionRevocation` in Redis: one key per logged-out session, kept
 * until that session would have expired anyway (SET with PXAT), so every replica
 * refuses a cookie copied before the logout; and one key per subscription signed out
 * everywhere. A Redis failure is a 503, never a
 * silent "not revoked".
 */
export class RedisSessionRevocationStore implements LogupSessionRevocationStore {
  constructor(
    private readonly client: SampleRedisClient,
    private readonly prefix = 'logup:revoked:',
  ) {}

  async revoke(sid: string, expiresAt: number): Promise<void> {
    if (expiresAt <= Date.now()) return;
    try {
      await this.client.set(this.prefix + sid, '1', { expiration: { type: 'PXAT', value: expiresAt } });
    } catch {
      throw redisUnavailable();
    }
  }

  async isRevoked(sid: string): Promise<boolean> {
    try {
      return (await this.client.exists(this.prefix + sid)) === 1;
    } catch {
      throw redisUnavailable();
    }
  }

  /**
   * Sign-out everywhere: one key per subscription holding the moment (epoch ms), kept
   * until every login issued before it would have expired. A later sign-out replaces it.
   */
  async revokeSubscription(idSubscription: string, before: number, expiresAt: number): Promise<void> {
    if (expiresAt <= Date.now()) return;
    try {
      await this.client.set(`${this.prefix}subscription:${idSubscription}`, String(before), {
        expiration: { type: 'PXAT', value: expiresAt },
      });
    } catch {
      throw redisUnavailable();
    }
  }

  async revokedBefore(idSubscription: string): Promise<number | undefined> {
    let value: string | null;
    try {
      value = await this.client.get(`${this.prefix}subscription:${idSubscription}`);
    } catch {
      throw redisUnavailable();
    }
    const before = value === null ? NaN : Number(value);
    return Number.isFinite(before) ? before : undefined;
  }

  toJSON(): Record<string, unknown> {
    return { store: 'redis' };
  }
}

/**
 * `@nestjs/throttler` storage on rate-limiter-flexible's RateLimiterRedis (atomic
 * INCR + expiry in Redis): the limit counts requests to every replica. Only the
 * mapping between the two libraries is here; the Redis side is theirs. (The
 * dedicated `@nest-lab/throttler-storage-redis` declares peers up to Nest 11 only,
 * which `npm ci` refuses on Nest 12.) A Redis failure is a 503.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  readonly #limiters = new Map<string, RateLimiterRedis>();

  constructor(
    private readonly client: SampleRedisClient,
    private readonly prefix = 'throttle',
  ) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string) {
    const limiter = this.#limiter(ttl, limit, blockDuration, throttlerName);
    let result: RateLimiterRes;
    let blocked = false;
    try {
      result = await limiter.consume(key);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw redisUnavailable();
      result = error;
      blocked = true;
    }
    const seconds = Math.max(1, Math.ceil(result.msBeforeNext / 1000));
    return {
      totalHits: result.consumedPoints,
      timeToExpire: seconds,
      isBlocked: blocked,
      timeToBlockExpire: blocked ? seconds : 0,
    };
  }

  #limiter(ttl: number, limit: number, blockDuration: number, name: string): RateLimiterRedis {
    const id = `${name}:${ttl}:${limit}:${blockDuration}`;
    let limiter = this.#limiters.get(id);
    if (!limiter) {
      limiter = new RateLimiterRedis({
        storeClient: this.client,
        useRedisPackage: true,
        keyPrefix: `${this.prefix}:${id}`,
        points: limit,
        duration: Math.max(1, Math.ceil(ttl / 1000)),
        blockDuration: Math.max(0, Math.ceil(blockDuration / 1000)),
      });
      this.#limiters.set(id, limiter);
    }
    return limiter;
  }
}

/** The Redis client and what is built on it; `close()` at shutdown. */
export class SharedState {
  /** The client for commands: each answers within COMMAND_TIMEOUT_MS or fails. */
  readonly client: SampleRedisClient;
  readonly #connection: SampleRedisClient;
  readonly revocation: RedisSessionRevocationStore;
  readonly throttlerStorage: RedisThrottlerStorage;
  readonly #logger = new Logger('Redis');
  #down = false;

  constructor(readonly settings: SharedStateSettings & { redisUrl: string }) {
    this.#connection = createSampleRedisClient(settings.redisUrl);
    this.client = withDeadline(this.#connection, COMMAND_TIMEOUT_MS);
    this.revocation = new RedisSessionRevocationStore(this.client);
    this.throttlerStorage = new RedisThrottlerStorage(this.client);
    // Log a change of state once, not every reconnection attempt.
    this.#connection.on('error', (error: Error) => {
      if (this.#down) return;
      this.#down = true;
      this.#logger.error(`Redis is unreachable (${error.message}); answering 503 until it is back`);
    });
    this.#connection.on('ready', () => {
      if (this.#down) this.#logger.log('Redis is reachable again');
      this.#down = false;
    });
  }

  /** Whether commands can be sent now (connected, not reconnecting). */
  get ready(): boolean {
    return this.#connection.isReady;
  }

  /** Starts connecting; the app starts (and answers 503) even if Redis is not up yet. */
  connect(): void {
    this.#connection.connect().catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.#connection.isOpen) await this.#connection.close().catch(() => this.#connection.destroy());
  }
}

/** The shared state for this environment, connecting, or null without REDIS_URL. */
export function openSharedState(env: NodeJS.ProcessEnv): SharedState | null {
  const settings = sharedStateSettings(env);
  if (!settings.redisUrl) return null;
  const shared = new SharedState({ ...settings, redisUrl: settings.redisUrl });
  shared.connect();
  return shared;
}
