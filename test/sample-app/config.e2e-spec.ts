import { startSample } from '../support/sample-app.js';

describe('sample app configuration', () => {
  it.each<[string, NodeJS.ProcessEnv, RegExp]>([
    [
      'only LOGUP_ID_GATE',
      { LOGUP_ID_GATE: 'gate_x' },
      /LogUp is half-configured: LOGUP_ID_GATE is set but LOGUP_SECRET, LOGUP_LOGIN_URL, SESSION_SECRET are missing/,
    ],
    [
      'everything but the login page',
      { LOGUP_ID_GATE: 'gate_x', LOGUP_SECRET: 'secret_gate_test_value', SESSION_SECRET: 'x'.repeat(40) },
      /LOGUP_LOGIN_URL is missing/,
    ],
    ['a short session secret', { SESSION_SECRET: 'short' }, /SESSION_SECRET must be at least 32 characters/],
    ['a bad port', { PORT: 'eighty' }, /PORT must be an integer from 0 to 65535/],
    ['TRUST_PROXY=true', { TRUST_PROXY: 'true' }, /TRUST_PROXY=true would believe X-Forwarded-For from any client/],
    [
      'a TRUST_PROXY that is no address',
      { TRUST_PROXY: 'loopback, 10.0.0.0/99, proxy.example' },
      /TRUST_PROXY must be .*not "10\.0\.0\.0\/99", "proxy\.example"/,
    ],
    ['a TRUST_PROXY hop count of 0', { TRUST_PROXY: '0' }, /TRUST_PROXY as a hop count must be from 1 to 10/],
    ['COOKIE_SECURE=yes', { COOKIE_SECURE: 'yes' }, /COOKIE_SECURE must be true or false/],
    ['a zero session lifetime', { SESSION_MAX_AGE_SECONDS: '0' }, /SESSION_MAX_AGE_SECONDS must be an integer from 1/],
    ['a PUBLIC_URL that is no origin', { PUBLIC_URL: 'shop.example' }, /PUBLIC_URL must be an http\(s\) origin/],
    ['LOGUP_LOGIN_BINDING=off', { LOGUP_LOGIN_BINDING: 'off' }, /LOGUP_LOGIN_BINDING must be nonce or pending/],
  ])('refuses to start with %s, naming what is wrong (and never the secret)', async (_name, env, message) => {
    const error = await startSample('express', env).then<Error, Error>(
      (sample) => sample.close().then(() => new Error('started')),
      (e: Error) => e,
    );
    expect(error.message).toMatch(/sample app exited with 1/);
    expect(error.message).toMatch(message);
    expect(error.message).toContain('Cannot start the sample app');
    expect(error.message).not.toContain('secret_gate_test_value');
  });
});
