import { isLoopbackHost, sampleConfig, startupWarnings } from '../../sample-app/src/sample.config.js';
import { startSample } from '../support/sample-app.js';

/** Issue 9, item 13: the login link's callback URL comes from the Host header unless PUBLIC_URL is set. */
describe('start-up warning without PUBLIC_URL beyond loopback', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.0.0.2', true],
    ['::1', true],
    ['localhost', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.20', false],
    ['shop.example', false],
  ])('treats HOST=%s as loopback: %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });

  it('warns in embedded mode beyond loopback without PUBLIC_URL, and only then', () => {
    expect(startupWarnings(sampleConfig({ HOST: '0.0.0.0' }))).toEqual([
      expect.stringMatching(/^HOST=0\.0\.0\.0 listens beyond loopback but PUBLIC_URL is not set: .*Host header/),
    ]);
    expect(startupWarnings(sampleConfig({ HOST: '0.0.0.0', PUBLIC_URL: 'https://shop.example' }))).toEqual([]);
    expect(startupWarnings(sampleConfig({ HOST: '127.0.0.1' }))).toEqual([]);
    expect(startupWarnings(sampleConfig({}))).toEqual([]);
    // Against LogUp the login URL is used verbatim: nothing is built from the Host header.
    const logup = {
      LOGUP_ID_GATE: 'gate_x',
      LOGUP_SECRET: 'secret_gate_test_value',
      LOGUP_LOGIN_URL: 'https://logup.example/login',
      SESSION_SECRET: 'x'.repeat(40),
    };
    expect(startupWarnings(sampleConfig({ ...logup, HOST: '0.0.0.0' }))).toEqual([]);
  });

  // 192.0.2.1 (TEST-NET-1) is on no interface here: the app warns while it starts, then
  // cannot listen and exits, so nothing is ever exposed beyond loopback.
  it.each(['express', 'fastify'] as const)('logs the warning when the %s app starts', async (adapter) => {
    const outputOf = (env: NodeJS.ProcessEnv) =>
      startSample(adapter, { HOST: '192.0.2.1', ...env }).then(
        async (sample) => {
          await sample.close();
          throw new Error('the app listened on 192.0.2.1');
        },
        (error: Error) => error.message,
      );
    const warned = await outputOf({});
    expect(warned).toMatch(/WARN \[SampleApp\] HOST=192\.0\.2\.1 listens beyond loopback but PUBLIC_URL is not set/);
    expect(warned).toMatch(/Cannot start the sample app/);
    const quiet = await outputOf({ PUBLIC_URL: 'http://shop.example:8080' });
    expect(quiet).toMatch(/Cannot start the sample app/);
    expect(quiet).not.toMatch(/PUBLIC_URL is not set/);
  });
});
