import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { resolveLogupConfig } from '../options/logup.config.js';
import { LogupGuard } from '../login/logup.guard.js';
import { MemorySessionRevocationStore } from './logup.revocation.js';
import type { LogupService } from '../logup.service.js';
import { readLogin, type LogupSessionValue } from './logup.session.js';

const OPTIONS = { idGate: 'gate_unit', secret: 'secret_unit_do_not_leak' };

describe('sign out everywhere (the revocation store and readLogin)', () => {
  const store = new MemorySessionRevocationStore();
  const config = resolveLogupConfig({ ...OPTIONS, sessionRevocation: store });
  const login = (idSubscription: string, issuedAt: number): { session: Record<string, LogupSessionValue> } => ({
    session: { [config.sessionKey as string]: { idSubscription, sid: `sid-${issuedAt}`, issuedAt } },
  });

  it('ends a login issued before or in the same millisecond as the sign-out, not one after, nor another subscription', async () => {
    const moment = Date.now();
    store.revokeSubscription('sub_a', moment, moment + 60_000);
    expect(await readLogin(login('sub_a', moment - 5000), config)).toBeUndefined();
    expect(await readLogin(login('sub_a', moment), config)).toBeUndefined();
    expect(await readLogin(login('sub_a', moment + 1), config)).toMatchObject({ idSubscription: 'sub_a' });
    expect(await readLogin(login('sub_b', moment - 5000), config)).toMatchObject({ idSubscription: 'sub_b' });
  });

  it('keeps the later of two sign-outs, and forgets one whose sessions have all expired', () => {
    store.revokeSubscription('sub_c', 2000, Date.now() + 60_000);
    store.revokeSubscription('sub_c', 1000, Date.now() + 60_000);
    expect(store.revokedBefore('sub_c')).toBe(2000);
    store.revokeSubscription('sub_d', 1000, Date.now() - 1);
    expect(store.revokedBefore('sub_d')).toBeUndefined();
  });
});

describe('LogupGuard in a microservice (RPC) context', () => {
  it('refuses with a developer error that says what to do instead', async () => {
    const config = resolveLogupConfig(OPTIONS);
    const guard = new LogupGuard(new Reflector(), {} as LogupService, config);
    class Handlers {
      handle() {}
    }
    const context = new ExecutionContextHost([{ pattern: 'x' }, {}], Handlers, Handlers.prototype.handle);
    context.setType('rpc');
    await expect(guard.canActivate(context)).rejects.toMatchObject({
      code: 'LOGUP_UNSUPPORTED_CONTEXT',
      message: expect.stringMatching(/does not authenticate microservice \(RPC\) messages/),
    });
  });
});
