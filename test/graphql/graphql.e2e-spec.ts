import type { LogupEmulator } from 'logup-emulator';
import { Visitor } from '../support/browserless.js';
import { GATE, email, withEmulator } from '../support/logup-fixture.js';
import { withEmulatorApp } from '../support/nest-app.js';
import { graphqlApp } from './graphql-app.js';

interface GraphqlAnswer {
  data?: { visitor: { idSubscription: string; plan: string | null } } | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** A query naming the README's `visitor` field `n` times, under aliases. */
const aliases = (n: number) =>
  `{ ${Array.from({ length: n }, (_, i) => `v${i}: visitor { idSubscription plan }`).join(' ')} }`;

/** The answer to `aliases(300)` under the README's limits: 3 points a `visitor`, 50 at most. */
const COMPLEXITY_REFUSED = {
  errors: [
    {
      message: 'The query exceeds the maximum complexity of 50. Actual complexity is 900',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    },
  ],
};

async function post(base: string, visitor: Visitor, query: string): Promise<{ status: number; answer: unknown }> {
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', cookie: visitor.cookieHeader() },
    body: JSON.stringify({ query }),
    signal: AbortSignal.timeout(60_000),
  });
  return { status: res.status, answer: await res.json() };
}

/** A visitor logged in through the REST routes (a `pro` plan in the DB), and the callback's status. */
async function logIn(emu: LogupEmulator, base: string, label: string) {
  const visitor = new Visitor(base);
  expect((await visitor.get('/logup/login', false)).status).toBe(200);
  const login = emu.login({ idGate: GATE.idGate, email: email(label), db: { plan: 'pro' } });
  const callback = await visitor.get(`/logup/callback?logupToken=${login.logupToken}&isNewUser=false`, false);
  return { visitor, login, status: callback.status };
}

describe('LogupGuard and @CurrentSubscription() in a GraphQL resolver (Apollo)', () => {
  const ctx = withEmulatorApp((emu) => graphqlApp(emu));
  const query = (visitor: Visitor) =>
    post(ctx.url, visitor, '{ visitor { idSubscription plan } }') as Promise<{ status: number; answer: GraphqlAnswer }>;

  it("answers a real query with the visitor's idSubscription and a DB value, from the session", async () => {
    const { visitor, status: callback, login } = await logIn(ctx.emu, ctx.url, 'graphql');
    expect(callback).toBe(200);
    const { status, answer } = await query(visitor);
    expect(status).toBe(200);
    expect(answer).toEqual({ data: { visitor: { idSubscription: login.idSubscription, plan: 'pro' } } });
  });

  it('answers an UNAUTHENTICATED error, not a crash, without a session', async () => {
    const { status, answer } = await query(new Visitor(ctx.url));
    expect(status).toBe(200);
    expect(answer.data).toBeNull();
    expect(answer.errors).toEqual([
      expect.objectContaining({
        message: 'Log in with LogUp first',
        extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }),
      }),
    ]);
  });
});

describe("one visitor's aliased GraphQL queries and another visitor's login", () => {
  const ctx = withEmulator();

  it("the README's options refuse 300 aliases of `visitor` before any LogUp read", async () => {
    const { app, url: base } = await graphqlApp(ctx.emu);
    try {
      const { visitor, status } = await logIn(ctx.emu, base, 'aliases');
      expect(status).toBe(200);
      const reads = ctx.emu.stats().dbReads;
      const refused = await post(base, visitor, aliases(300));
      expect(refused.status).toBe(400);
      expect(refused.answer).toMatchObject(COMPLEXITY_REFUSED);
      expect(ctx.emu.stats().dbReads).toBe(reads);
      // A few aliases are still fine.
      const few = await post(base, visitor, aliases(3));
      expect(few.status).toBe(200);
      expect(ctx.emu.stats().dbReads - reads).toBe(1); // three identical reads in flight: one LogUp read
    } finally {
      await app.close();
    }
  });

  it('without that limit, four requests of 300 aliases with LogUp at 200 ms a read: another login succeeds', async () => {
    const { app, url: base } = await graphqlApp(ctx.emu, { limits: false });
    try {
      const { visitor } = await logIn(ctx.emu, base, 'greedy');
      ctx.emu.fault({ kind: 'latency', endpoint: 'db-read', latencyMs: 200, count: 100_000 });
      const reads = ctx.emu.stats().dbReads;
      const greedy = Array.from({ length: 4 }, () => post(base, visitor, aliases(300)));
      await new Promise((resolve) => setTimeout(resolve, 300)); // the resolvers are waiting on LogUp
      const started = Date.now();
      const other = await logIn(ctx.emu, base, 'other');
      expect(other.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(2500); // was 504 after 5 s, 0 verifications sent
      for (const { status, answer } of await Promise.all(greedy)) {
        expect(status).toBe(200);
        expect(Object.keys((answer as { data: object }).data)).toHaveLength(300);
      }
      expect(ctx.emu.stats().dbReads - reads).toBeLessThanOrEqual(4); // the reads in flight were shared
    } finally {
      await app.close();
    }
  }, 60_000);
});
