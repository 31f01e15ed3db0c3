import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

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
  /**
   * Which proxies' `X-Forwarded-*` headers to believe (Express `trust proxy`, Fastify
   * `trustProxy`): `false`, a hop count, or names (`loopback`, `linklocal`,
   * `uniquelocal`), IPs and CIDRs.
   */
  trustProxy: false | number | string[];
  /** A login older than this is refused on the server, and the session cookie lasts this long, in seconds. */
  sessionMaxAgeSeconds: number;
  /** Callback requests allowed per client per minute. */
  callbackRateLimit: number;
  /** The app's public origin, e.g. `https://shop.example`; default: from the request's Host. */
  publicUrl?: string;
  /**
   * Where the profile database file lives (an absolute path): this user's own private
   * directory. Default `$XDG_STATE_HOME/logup-sample-app`, else `~/.local/state/logup-sample-app`.
   */
  dataDir: string;
  /**
   * LOGUP_LOGIN_BINDING: `'nonce'` (default on the embedded emulator, whose redirect keeps
   * its query) or `'pending'` (default against LogUp, whose redirect URL is fixed).
   */
  loginBinding: 'nonce' | 'pending';
  /** Changes (rename, DB saves and deletions) one visitor may make per minute. */
  writeRateLimit: number;
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const text = env[name];
  if (text === undefined || text === '') return false;
  if (text !== 'true' && text !== 'false') throw new SampleConfigError(`${name} must be true or false`);
  return text === 'true';
}

function publicUrl(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (!url || !['http:', 'https:'].includes(url.protocol) || url.username || url.password) {
    throw new SampleConfigError('PUBLIC_URL must be an http(s) origin such as https://shop.example');
  }
  return text.replace(/\/+$/, '');
}

/** Names proxy-addr (Express and Fastify) knows for groups of addresses. */
const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** A proxy address, name or CIDR as proxy-addr reads them, or false. */
function isProxyAddress(text: string): boolean {
  if (PROXY_NAMES.includes(text)) return true;
  const [ip, prefix, ...rest] = text.split('/');
  const family = isIP(ip);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d{1,3}$/.test(prefix) && bits <= (family === 4 ? 32 : 128);
}

/**
 * TRUST_PROXY: unset or `false` trusts no proxy; a number trusts that many hops; else
 * a comma-separated list of proxy addresses. `true` (trust whoever connects) is
 * refused: any client could then choose the address the rate limiter sees.
 */
function trustProxy(text: string | undefined): SampleConfig['trustProxy'] {
  if (text === undefined || text.trim() === '' || text.trim() === 'false') return false;
  if (text.trim() === 'true') {
    throw new SampleConfigError(
      'TRUST_PROXY=true would believe X-Forwarded-For from any client; name the proxy instead ' +
        '(loopback, an IP or CIDR list, or a hop count)',
    );
  }
  if (/^\s*\d+\s*$/.test(text)) {
    const hops = Number(text);
    if (hops < 1 || hops > 10) throw new SampleConfigError('TRUST_PROXY as a hop count must be from 1 to 10');
    return hops;
  }
  const entries = text.split(',').map((entry) => entry.trim());
  const bad = entries.filter((entry) => !isProxyAddress(entry));
  if (bad.length > 0) {
    throw new SampleConfigError(
      `TRUST_PROXY must be false, a hop count, or a comma-separated list of loopback, linklocal, uniquelocal, ` +
        `IP addresses and CIDRs; not ${bad.map((entry) => JSON.stringify(entry)).join(', ')}`,
    );
  }
  return entries;
}

function loginBinding(text: string | undefined, mode: SampleConfig['mode']): SampleConfig['loginBinding'] {
  if (text === undefined || text === '') return mode === 'embedded' ? 'nonce' : 'pending';
  if (text !== 'nonce' && text !== 'pending')
    throw new SampleConfigError('LOGUP_LOGIN_BINDING must be nonce or pending');
  return text;
}

/** Whether HOST keeps the app on this machine. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * What to warn about at start-up: in embedded mode the login link's callback URL is
 * built from each request's Host header unless PUBLIC_URL is set, which is fine on
 * loopback but lets a visitor beyond it choose where the login goes back to.
 */
export function startupWarnings(config: SampleConfig): string[] {
  if (config.mode !== 'embedded' || config.publicUrl || isLoopbackHost(config.host)) return [];
  return [
    `HOST=${config.host} listens beyond loopback but PUBLIC_URL is not set: the login link's callback URL ` +
      "is taken from each request's Host header. Set PUBLIC_URL to this site's public origin " +
      '(e.g. https://shop.example).',
  ];
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
 * The default DATA_DIR: in this user's home (XDG state directory), never in the
 * shared temporary folder, where another local user could create it first.
 */
function defaultDataDir(env: NodeJS.ProcessEnv): string {
  const state = env.XDG_STATE_HOME && env.XDG_STATE_HOME.startsWith('/') ? env.XDG_STATE_HOME : undefined;
  return join(state ?? join(homedir(), '.local', 'state'), 'logup-sample-app');
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
    secureCookies: flag(env, 'COOKIE_SECURE'),
    trustProxy: trustProxy(env.TRUST_PROXY),
    sessionMaxAgeSeconds: integer(env, 'SESSION_MAX_AGE_SECONDS', 8 * 60 * 60, 1, 30 * 24 * 60 * 60),
    callbackRateLimit: integer(env, 'CALLBACK_RATE_LIMIT', 30, 1, 1_000_000),
    publicUrl: publicUrl(env.PUBLIC_URL),
    writeRateLimit: integer(env, 'WRITE_RATE_LIMIT', 20, 1, 1_000_000),
    dataDir: resolve(env.DATA_DIR || defaultDataDir(env)),
    loginBinding: loginBinding(env.LOGUP_LOGIN_BINDING, mode),
  };
}
