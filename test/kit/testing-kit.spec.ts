import { LogupApiError, LogupSubscription, LogupValidationError } from 'nestjs-logup';
import { createTestSubscription } from 'nestjs-logup/testing';

describe('createTestSubscription', () => {
  it('is a LogupSubscription with an in-memory DB that behaves like LogUp', async () => {
    const sub = createTestSubscription({ idActor: 'acr_1', isNewUser: true, db: { plan: 'pro' } });
    expect(sub).toBeInstanceOf(LogupSubscription);
    expect(sub.toJSON()).toEqual({
      idSubscription: 'sub_test',
      idActor: 'acr_1',
      isNewUser: true,
      db: { plan: 'pro' },
    });
    await expect(sub.updateDb({ seats: 3 })).resolves.toEqual({ plan: 'pro', seats: 3 });
    await expect(sub.getDb(['seats', 'nope'])).resolves.toEqual({ seats: 3 });
    await expect(sub.deleteDbValues(['plan'])).resolves.toEqual({ seats: 3 });
    expect(sub.db).toEqual({ seats: 3 });
  });

  it('enforces the same limits', async () => {
    const sub = createTestSubscription({ db: Object.fromEntries(Array.from({ length: 19 }, (_, i) => [`k${i}`, i])) });
    await expect(sub.updateDb({ ['x'.repeat(33)]: 1 })).rejects.toBeInstanceOf(LogupValidationError);
    await expect(sub.updateDb({ a: 1, b: 2 })).rejects.toMatchObject({ status: 400, errorMessage: 'TOO_MANY_KEYS' });
    await expect(sub.updateDb({ a: 1, b: 2 })).rejects.toBeInstanceOf(LogupApiError);
    await expect(sub.updateDb({ a: 1 })).resolves.toHaveProperty('a', 1);
  });
});
