import type { LogupConfig } from '../options/logup-module-options.interface.js';
import { nonceMatches, peekPendingLogin, type LogupSessionValue } from '../session/logup.session.js';

/**
 * Callbacks this process is verifying or has just verified, per gate, by the hash of
 * their token: a browser that sends the same callback again (a double click, a
 * reload of a cancelled navigation) while presenting the same pending login gets the
 * first one's login instead of a second verification of a spent token.
 */
interface Entry {
  /** The pending login the first callback presented: proof that a repeat comes from the same browser. */
  nonce: string;
  /** The login the first callback wrote, or undefined when it failed. */
  outcome: Promise<LogupSessionValue | undefined>;
  until: number;
}

/** How long a finished callback is remembered for its repeats, in ms. */
const REMEMBER_MS = 60_000;
const registries = new WeakMap<LogupConfig, Map<string, Entry>>();

function registryOf(config: LogupConfig): Map<string, Entry> {
  let registry = registries.get(config);
  if (!registry) registries.set(config, (registry = new Map()));
  const now = Date.now();
  for (const [key, entry] of registry) if (entry.until <= now) registry.delete(key);
  return registry;
}

/**
 * The login an earlier callback of the same token made for this same browser (its
 * session presents the pending login that callback claimed), waiting for it when it
 * is still in flight; undefined when there is none.
 */
export async function loginOfRepeat(
  request: unknown,
  config: LogupConfig,
  tokenHash: string,
): Promise<LogupSessionValue | undefined> {
  const entry = registryOf(config).get(tokenHash);
  const pending = peekPendingLogin(request, config);
  if (!entry || !pending || !nonceMatches(entry.nonce, pending.nonce)) return undefined;
  return entry.outcome;
}

/**
 * Records a callback about to be verified; returns the function that settles it
 * with the login written (or undefined when it failed).
 */
export function recordCallback(
  request: unknown,
  config: LogupConfig,
  tokenHash: string,
): (login: LogupSessionValue | undefined) => void {
  const pending = peekPendingLogin(request, config);
  if (!pending) return () => undefined;
  let settle!: (login: LogupSessionValue | undefined) => void;
  const outcome = new Promise<LogupSessionValue | undefined>((resolve) => (settle = resolve));
  registryOf(config).set(tokenHash, { nonce: pending.nonce, outcome, until: Date.now() + REMEMBER_MS });
  return settle;
}
