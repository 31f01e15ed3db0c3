import { Logger } from '@nestjs/common';
import { LOGUP_MESSAGES, LOGUP_OPTION_PROBLEMS as PROBLEMS } from '../errors/logup.messages.js';
import { LOGUP_DEFAULT_BASE_URL } from '../logup.constants.js';
import type { LogupIntegerRule } from './logup.option-rules.js';

/** One thing wrong with an option. */
type LogupOptionProblem = { option: string; problem: string };

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const VERSION_SUFFIX = /\/(v\d{1,2}_\d{1,3})\/*$/;

/** Levenshtein distance, case-insensitive (for suggestions only). */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, i) => i);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[y.length];
}

/**
 * Reads module options, collecting every problem instead of stopping at the first:
 * each method returns the value to use (the default when the given one is wrong) and
 * records what was wrong, naming the option (never echoing the secret).
 */
export class LogupOptionReader {
  readonly problems: LogupOptionProblem[] = [];

  problem(option: string, problem: string): void {
    this.problems.push({ option, problem });
  }

  /** Records each key of `raw` that is not in `known`, with the closest known name. */
  unknownKeys(raw: Record<string, unknown>, known: readonly string[], prefix = ''): void {
    for (const key of Object.keys(raw)) {
      if (known.includes(key)) continue;
      const closest = [...known].sort((a, b) => distance(key, a) - distance(key, b))[0];
      const near = distance(key, closest) <= Math.max(2, Math.floor(key.length / 3));
      this.problem(`${prefix}${key}`, PROBLEMS.notAnOption(near ? `${prefix}${closest}` : undefined));
    }
  }

  integer(value: unknown, name: string, rule: LogupIntegerRule): number {
    if (value === undefined) return rule.default;
    if (typeof value === 'number' && Number.isInteger(value) && value >= rule.min && value <= rule.max) return value;
    this.problem(name, PROBLEMS.integer(rule.min, rule.max, value));
    return rule.default;
  }

  string(value: unknown, name: string, fallback: string, pattern: RegExp, rule: string): string {
    if (value === undefined) return fallback;
    if (typeof value === 'string' && pattern.test(value)) return value;
    this.problem(name, rule);
    return fallback;
  }

  required(value: unknown, name: string): string {
    if (typeof value === 'string' && value.trim() !== '') return value;
    this.problem(name, value === undefined ? PROBLEMS.required : PROBLEMS.nonEmptyString);
    return '';
  }

  /** An option that, when given, must pass `valid`. */
  check(value: unknown, name: string, valid: (value: unknown) => boolean, problem: string): void {
    if (value !== undefined && !valid(value)) this.problem(name, problem);
  }

  /** `baseUrl`: an absolute http(s) URL without credentials, query, fragment or API version; no trailing slash. */
  baseUrl(value: unknown): string {
    let url: URL;
    try {
      const text = value ?? LOGUP_DEFAULT_BASE_URL;
      if (typeof text !== 'string') throw new TypeError('not a string');
      url = new URL(text);
    } catch {
      this.problem('baseUrl', PROBLEMS.baseUrl);
      return LOGUP_DEFAULT_BASE_URL;
    }
    const version = VERSION_SUFFIX.exec(url.pathname)?.[1];
    if (!['http:', 'https:'].includes(url.protocol) || url.search || url.hash || url.username || url.password) {
      this.problem('baseUrl', PROBLEMS.baseUrlParts);
    } else if (version) {
      this.problem('baseUrl', LOGUP_MESSAGES.baseUrlWithVersion(version));
    } else if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
      new Logger('LogupModule').warn(PROBLEMS.baseUrlInsecure(url.origin));
    }
    return url.toString().replace(/\/+$/, '');
  }

  /** `trustedOrigins`: absolute http(s) origins (no path, query or credentials). */
  origins(value: unknown): readonly string[] {
    if (value === undefined) return Object.freeze([]);
    if (!Array.isArray(value)) {
      this.problem('trustedOrigins', PROBLEMS.trustedOrigins);
      return Object.freeze([]);
    }
    const origins: string[] = [];
    for (const [i, item] of value.entries()) {
      const url = typeof item === 'string' && URL.canParse(item) ? new URL(item) : undefined;
      if (!url || !['http:', 'https:'].includes(url.protocol) || url.origin !== String(item).replace(/\/$/, '')) {
        this.problem(`trustedOrigins[${i}]`, PROBLEMS.trustedOrigins);
      } else origins.push(url.origin);
    }
    return Object.freeze(origins);
  }
}
