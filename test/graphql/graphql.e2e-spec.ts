import type { INestApplication } from '@nestjs/common';
import type { LogupEmulator } from 'logup-emulator';
import { Visitor } from '../support/browserless.js';
import { GATE, email, emulator } from '../support/logup-fixture.js';
import { graphqlApp } from './graphql-app.js';

interface GraphqlAnswer {
  data?: { visitor: { idSubscription: string; plan: string | null } } | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

describe('LogupGuard and @CurrentSubscription() in a GraphQL resolver (Apollo)', () => {
  let emu: LogupEmulator;
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    emu = await emulator();
    ({ app, base } = await graphqlApp(emu));
  });
  afterAll(async () => {
    await app?.close();
    await emu?.stop();
  });

  async function query(visitor: Visitor): Promise<{ status: number; answer: GraphqlAnswer }> {
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', cookie: visitor.cookieHeader() },
      body: JSON.stringify({ query: '{ visitor { idSubscription plan } }' }),
      signal: AbortSignal.timeout(30_000),
    });
    return { status: res.status, answer: (await res.json()) as GraphqlAnswer };
  }

  it("answers a real query with the visitor's idSubscription and a DB value, from the session", async () => {
    const visitor = new Visitor(base);
    expect((await visitor.get('/logup/login', false)).status).toBe(200);
    const login = emu.login({ idGate: GATE.idGate, email: email('graphql'), db: { plan: 'pro' } });
    const callback = await visitor.get(`/logup/callback?logupToken=${login.logupToken}&isNewUser=false`, false);
    expect(callback.status).toBe(200);
    const { status, answer } = await query(visitor);
    expect(status).toBe(200);
    expect(answer).toEqual({ data: { visitor: { idSubscription: login.idSubscription, plan: 'pro' } } });
  });

  it('answers an UNAUTHENTICATED error, not a crash, without a session', async () => {
    const { status, answer } = await query(new Visitor(base));
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
