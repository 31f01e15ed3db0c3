import { randomBytes } from 'node:crypto';

/** The sample app's configuration, read from the environment. */
export interface SampleConfig {
  /** `embedded`: no LogUp settings, so the app runs its own emulator. */
  mode: 'embedded' | 'logup';
  logup: {
    idGate: string;
    secret: string;
    apiVersion?: string;
    /** Unset in embedded mode: the emulator's URL is used. */
    baseUrl?: string;
    /** LogUp's hosted login page; unset in embedded mode. */
    loginPageUrl?: string;
    /** Time one call to LogUp may take, in ms (the library's default when unset). */
    timeoutMs?: number;
  };
  port: number;
  host: string;
  sessionSecret: string;
  /** Send cookies over HTTPS only. */
  secureCookies: boolean;
  /** Callback requests allowed per client per minute. */
  callbackRateLimit: number;
  /** The app's public origin, e.g. `https://shop.example`; default: from the request's Host. */
  publicUrl?: string;
}

/** The demo gate of the embedded emulator. */
export const DEMO_GATE = { idGate: 'gate_demo', secret: 'secret_demo' } as const;

const LOGUP_VARIABLES = ['LOGUP_ID_GATE', 'LOGUP_SECRET', 'LOGUP_LOGIN_URL'] as const;
const OPTIONAL_LOGUP_VARIABLES = ['LOGUP_API_VERSION', 'LOGUP_BASE_URL'] as const;

/** Why the sample app cannot start. */
export class SampleConfigError extends Error {
  override name = 'SampleConfigError';
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new SampleConfigError(`${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

/**
 * Reads the environment. With no LogUp variable at all, the app runs on its
 * embedded emulator; with all of LOGUP_ID_GATE, LOGUP_SECRET and LOGUP_LOGIN_URL
 * (and SESSION_SECRET) it uses real LogUp; anything in between fails, naming
 * what is missing.
 */
export function sampleConfig(env: NodeJS.ProcessEnv = process.env): SampleConfig {
  const present = [...LOGUP_VARIABLES, ...OPTIONAL_LOGUP_VARIABLES].filter((name) => env[name]);
  const mode = present.length === 0 ? 'embedded' : 'logup';
  if (mode === 'logup') {
    const missing: string[] = LOGUP_VARIABLES.filter((name) => !env[name]);
    if (!env.SESSION_SECRET) missing.push('SESSION_SECRET');
    if (missing.length > 0) {
      throw new SampleConfigError(
        `LogUp is half-configured: ${present.join(', ')} ${present.length === 1 ? 'is' : 'are'} set but ` +
          `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing. ` +
          'Set them all to use LogUp, or none to run on the embedded emulator.',
      );
    }
  }
  const timeoutMs: number | undefined = env.LOGUP_TIMEOUT_MS
    ? integer(env, 'LOGUP_TIMEOUT_MS', 5000, 1, 300_000)
    : undefined;
  const sessionSecret = env.SESSION_SECRET ?? randomBytes(32).toString('hex');
  if (sessionSecret.length < 32) throw new SampleConfigError('SESSION_SECRET must be at least 32 characters');
  return {
    mode,
    logup:
      mode === 'embedded'
        ? { ...DEMO_GATE, timeoutMs }
        : {
            timeoutMs,
            idGate: env.LOGUP_ID_GATE!,
            secret: env.LOGUP_SECRET!,
            apiVersion: env.LOGUP_API_VERSION || undefined,
            baseUrl: env.LOGUP_BASE_URL || undefined,
            loginPageUrl: env.LOGUP_LOGIN_URL,
          },
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || '127.0.0.1',
    sessionSecret,
    secureCookies: env.COOKIE_SECURE === 'true',
    callbackRateLimit: integer(env, 'CALLBACK_RATE_LIMIT', 30, 1, 1_000_000),
    publicUrl: env.PUBLIC_URL?.replace(/\/+$/, '') || undefined,
  };
}
