import type { ThrottlerStorage } from '@nestjs/throttler';
import type { LogupSessionRevocationStore } from 'nestjs-logup';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { redisUnavailable, type SampleRedisClient } from './redis.js';

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
