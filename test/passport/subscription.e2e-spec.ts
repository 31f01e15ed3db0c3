import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { Visitor } from '../support/browserless.js';
import { GATE, email } from '../support/logup-fixture.js';
import { LogupStrategy } from 'nestjs-logup/passport';
import { withPassportApp } from './passport-app.js';
import { AuthController } from '../../examples/passport/auth.controller.js';
import { SubscriptionSerializer } from '../../examples/passport/subscription.serializer.js';

// LogupStrategy as it is: request.user is the LogupSubscription.
@Module({
  imports: [PassportModule.register({ session: true })],
  controllers: [AuthController],
  providers: [LogupStrategy, SubscriptionSerializer],
})
class SubscriptionAuthModule {}

describe("AuthGuard('logup') with LogupStrategy as it is", () => {
  const ctx = withPassportApp(SubscriptionAuthModule);

  it('makes request.user the verified subscription, restored from the passport session later', async () => {
    const visitor = new Visitor(ctx.url);
    await visitor.request('POST', '/logup/login', { html: false });
    const login = ctx.emu.login({ idGate: GATE.idGate, email: email('passport'), db: { plan: 'pro' } });
    const res = await visitor.get(`/logup/callback?logupToken=${login.logupToken}&isNewUser=false`, false);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({
      user: { idSubscription: login.idSubscription, idActor: login.idActor, isNewUser: false, db: { plan: 'pro' } },
    });
    const me = await visitor.get('/me', false);
    expect(me.status).toBe(200);
    expect(JSON.parse(me.body)).toEqual({ user: { idSubscription: login.idSubscription, idActor: login.idActor } });
  });

  it('refuses a callback without a pending login (400) and a token LogUp does not verify (401)', async () => {
    const visitor = new Visitor(ctx.url);
    const token = ctx.emu.login({ idGate: GATE.idGate, email: email('passport') }).logupToken;
    expect((await visitor.get(`/logup/callback?logupToken=${token}&isNewUser=false`, false)).status).toBe(400);
    await visitor.request('POST', '/logup/login', { html: false });
    expect((await visitor.get(`/logup/callback?logupToken=${'y'.repeat(40)}&isNewUser=false`, false)).status).toBe(401);
    expect((await visitor.get('/me', false)).status).toBe(401);
  });
});
