import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { LogupConfigurationError } from '../errors/logup.errors.js';
import { resolveLogupConfig } from './logup.config.js';
import {
  LOGUP_INTEGER_OPTIONS,
  LOGUP_OPTION_NAMES,
  LOGUP_QUERY_PARAM_OPTIONS,
  LOGUP_RETRY_OPTIONS,
  logupSessionKeys,
} from './logup.option-rules.js';

const GATE = { idGate: 'gate_config_spec', secret: 'secret_config_spec_value' };

/** The problems `resolveLogupConfig` throws for `options`, as `option: problem` lines. */
function problemsOf(options: unknown, name?: string): string[] {
  try {
    resolveLogupConfig(options as never, name);
  } catch (error) {
    expect(error).toBeInstanceOf(LogupConfigurationError);
    return (error as LogupConfigurationError).problems.map((p) => `${p.option}: ${p.problem}`);
  }
  throw new Error('the options were accepted');
}

describe('resolveLogupConfig: defaults, each written once', () => {
  const config = resolveLogupConfig(GATE);

  it.each(Object.entries(LOGUP_INTEGER_OPTIONS))('%s defaults to its rule', (option, rule) => {
    expect(config[option as keyof typeof LOGUP_INTEGER_OPTIONS]).toBe(rule.default);
  });

  it.each(Object.entries(LOGUP_RETRY_OPTIONS))('retry.%s defaults to its rule', (option, rule) => {
    expect(config.retry[option as keyof typeof LOGUP_RETRY_OPTIONS]).toBe(rule.default);
  });

  it.each(Object.entries(LOGUP_QUERY_PARAM_OPTIONS))('%s defaults to %s', (option, value) => {
    expect(config[option as keyof typeof LOGUP_QUERY_PARAM_OPTIONS]).toBe(value);
  });

  it('the options docs state the same defaults as the rules', () => {
    const docs = readFileSync(new URL('./logup-module-options.interface.ts', import.meta.url), 'utf8');
    const rules = { ...LOGUP_INTEGER_OPTIONS, ...LOGUP_RETRY_OPTIONS };
    for (const [option, rule] of Object.entries(rules)) {
      const doc = new RegExp(`Default \`(\\d+)\`[^*]*\\*/\\s*${option}\\?:`).exec(docs);
      expect({ option, documented: Number(doc?.[1]) }).toEqual({ option, documented: rule.default });
    }
  });

  it('names a gate session key and callback path by the gate, with one key scheme', () => {
    expect(config).toMatchObject({ name: 'default', sessionKey: 'logup', callbackPath: '/logup/callback' });
    const b2b = resolveLogupConfig(GATE, 'b2b');
    expect(b2b).toMatchObject({ sessionKey: 'logup.b2b', callbackPath: '/logup/b2b/callback' });
    expect(logupSessionKeys('logup.b2b')).toEqual({
      login: 'logup.b2b',
      pending: 'logup.b2b:pending',
      renewed: 'logup.b2b:renewed',
    });
  });

  it('turns login binding off without sessions, and joins baseUrl and apiVersion', () => {
    const sessionless = resolveLogupConfig({ ...GATE, sessionKey: false, baseUrl: 'http://127.0.0.1:9/' });
    expect(sessionless).toMatchObject({ loginBinding: 'off', apiUrl: 'http://127.0.0.1:9/v1_1' });
  });
});

describe('resolveLogupConfig: problems', () => {
  it('accepts every option name the options type has', () => {
    const named = Object.fromEntries(LOGUP_OPTION_NAMES.map((option) => [option, undefined]));
    expect(() => resolveLogupConfig({ ...named, ...GATE })).not.toThrow();
  });

  it('lists every problem at once, each naming its option', () => {
    const problems = problemsOf({ secret: '', timeoutMs: '5000', retry: { budgetMs: 0 }, trustedOrigins: ['x'] });
    expect(problems).toEqual([
      'idGate: is required',
      'secret: must be a non-empty string',
      'timeoutMs: must be an integer from 1 to 300000, received the string "5000"; convert it with Number()',
      'retry.budgetMs: must be an integer from 1 to 600000, received 0',
      expect.stringMatching(/^trustedOrigins\[0\]: must be a list of origins/),
    ]);
  });

  it('suggests the closest name for an unknown key, at the top level and in retry', () => {
    expect(problemsOf({ ...GATE, timeoutMS: 1, retry: { retires: 1 }, zzz: 1 })).toEqual([
      'timeoutMS: is not an option; did you mean "timeoutMs"?',
      'zzz: is not an option',
      'retry.retires: is not an option; did you mean "retry.retries"?',
    ]);
  });

  it('refuses a baseUrl carrying the API version, and a binding that needs a session', () => {
    expect(
      problemsOf({ ...GATE, baseUrl: 'https://api.logup.co/v1_1', sessionKey: false, loginBinding: 'nonce' }),
    ).toEqual([
      expect.stringMatching(/^baseUrl: ends with the API version "\/v1_1"/),
      `loginBinding: "nonce" needs a session: set sessionKey, or loginBinding: 'off'`,
    ]);
  });

  it('never echoes the secret, and keeps it out of JSON and inspect', () => {
    const secret = 'secret_never_echoed_value';
    const problems = problemsOf({ idGate: 'gate_x', secret, timeoutMs: secret });
    expect(problems.join('\n')).not.toContain(secret);
    const config = resolveLogupConfig({ idGate: 'gate_x', secret });
    expect(config.secret).toBe(secret);
    expect(JSON.stringify(config)).not.toContain(secret);
    expect(inspect(config, { showHidden: true, getters: true, depth: 5 })).not.toContain(secret);
  });
});
