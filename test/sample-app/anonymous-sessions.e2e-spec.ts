import { spawnSync } from 'node:child_process';
import { createClient } from 'redis';
import { accepts, freePort, startProcess } from '../../scripts/lib/processes.mjs';
import { Visitor } from '../support/browserless.js';
import { startSample, type RunningSample } from '../support/sample-app.js';

/** How many anonymous views each test makes (the issue saw one stored session per view). */
const VIEWS = 60;

/** Debian's redis-server on a free loopback port, persisting nothing. Fails (never skips) without it. */
async function startRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    throw new Error('redis-server is missing (Debian: apt-get install -y redis-server; scripts/ci-services.sh)');
  }
  const port = await freePort();
  const redis = startProcess('redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
  ]);
  await redis.waitFor(() => accepts(port), { what: 'redis-server' });
  return { url: `redis://127.0.0.1:${port}`, stop: async () => void (await redis.stop()) };
}

/** Cookieless requests a busy site gets from visitors, crawlers and probes. */
const ANONYMOUS: [string, boolean][] = [
  ['/', true],
  ['/?notice=logged-out', true],
  ['/me', true],
  ['/me', false],
  ['/nope', true],
  ['/app.css', true],
];

/** Makes VIEWS anonymous requests; answers the Set-Cookie headers they carried. */
async function browseAnonymously(url: string): Promise<string[]> {
  const cookies: string[] = [];
  for (let i = 0; i < VIEWS; i++) {
    const [path, html] = ANONYMOUS[i % ANONYMOUS.length];
    const res = await new Visitor(url).get(path, html);
    expect([path, res.status < 500]).toEqual([path, true]);
    cookies.push(...res.setCookies);
  }
  return cookies;
}

/** Issue 19, item 7: anonymous traffic stores no session, on every session store the sample uses. */
describe.each(['express', 'fastify'] as const)('anonymous page views store no session (%s)', (adapter) => {
  it('with the cookie stores (cookie-session / @fastify/secure-session): no Set-Cookie until a login starts', async () => {
    const sample = await startSample(adapter);
    try {
      expect(await browseAnonymously(sample.url)).toEqual([]);
      // The login form still works without a token, and only then is a session made.
      const start = await new Visitor(sample.url).post('/login', {});
      expect(start.status).toBe(303);
      expect(start.setCookies.join('\n')).toMatch(/^logup_sample_session=/);
    } finally {
      await sample.close();
    }
  });

  describe('with Redis (REDIS_URL: express-session / @fastify/session)', () => {
    let redis: Awaited<ReturnType<typeof startRedis>>;
    let sample: RunningSample;
    let client: ReturnType<typeof createClient>;
    beforeAll(async () => {
      redis = await startRedis();
      client = createClient({ url: redis.url });
      await client.connect();
      sample = await startSample(adapter, { REDIS_URL: redis.url });
      // The app answers 503 until its own client has connected.
      for (let tries = 0; (await fetch(`${sample.url}/app.css`)).status === 503; tries++) {
        if (tries > 100) throw new Error('the sample app never reached Redis');
        await new Promise((r) => setTimeout(r, 50));
      }
    });
    afterAll(async () => {
      await sample?.close();
      await client?.close();
      await redis?.stop();
    });

    const sessionKeys = () => client.keys('sess:*');

    it(`${VIEWS} cookieless views make no session key and set no cookie; a login start makes one`, async () => {
      expect(await sessionKeys()).toEqual([]);
      expect(await browseAnonymously(sample.url)).toEqual([]);
      expect(await sessionKeys()).toEqual([]);
      const start = await new Visitor(sample.url).post('/login', {});
      expect(start.status).toBe(303);
      expect(await sessionKeys()).toHaveLength(1);
    });
  });
});
