import { HttpService } from '@nestjs/axios';
import axios from 'axios';
import * as v from 'valibot';
import { z } from 'zod';

/**
 * One DB, described with zod and with valibot: the same rules and defaults, so
 * each test runs against both libraries.
 */
export const zodDbSchema = z.object({
  plan: z.enum(['free', 'pro']).default('free'),
  seats: z.number().int().min(1).max(500).default(1),
  credits: z.number().int().min(0).default(0),
  nickname: z.string().max(40).optional(),
  beta: z.boolean().optional(),
});

export const valibotDbSchema = v.object({
  plan: v.optional(v.picklist(['free', 'pro']), 'free'),
  seats: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(500)), 1),
  credits: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 0),
  nickname: v.optional(v.pipe(v.string(), v.maxLength(40))),
  beta: v.optional(v.boolean()),
});

export const SCHEMAS = [
  ['zod', zodDbSchema],
  ['valibot', valibotDbSchema],
] as const;

/** One API call as it left the app (the token request is left out: it carries the gate secret). */
export interface WireCall {
  method: string;
  path: string;
  body: unknown;
}

/**
 * An app-side HttpService (the `httpService` option) whose axios interceptor records
 * every DB call before it is sent, and can hold the next call of a method until the
 * test releases it: a barrier that makes an interleaving of two writers exact.
 */
export function recordingHttp(): {
  httpService: HttpService;
  calls: WireCall[];
  holdNext(method: string): { reached: Promise<void>; release(): void };
} {
  const instance = axios.create();
  const calls: WireCall[] = [];
  let hold: { method: string; reached: () => void; released: Promise<void> } | undefined;
  instance.interceptors.request.use(async (config) => {
    const path = new URL(config.url ?? '', 'http://x').pathname;
    if (path.endsWith('/oauth/token')) return config;
    const method = (config.method ?? 'get').toUpperCase();
    calls.push({ method, path, body: typeof config.data === 'string' ? JSON.parse(config.data) : config.data });
    if (hold?.method === method) {
      const current = hold;
      hold = undefined;
      current.reached();
      await current.released;
    }
    return config;
  });
  return {
    httpService: new HttpService(instance),
    calls,
    holdNext(method) {
      let reached!: () => void;
      let release!: () => void;
      const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      hold = { method, reached, released };
      return { reached: reachedPromise, release };
    },
  };
}
