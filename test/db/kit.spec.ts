import { LogupDbSchemaError, LogupValidationError } from 'nestjs-logup';
import { createTestSubscription } from 'nestjs-logup/testing';
import { SCHEMAS } from './db-fixture.js';

describe.each(SCHEMAS)('createTestSubscription with a dbSchema (%s)', (_vendor, dbSchema) => {
  it('validates reads and checks writes as against LogUp, typed from the schema', async () => {
    const subscription = createTestSubscription({ dbSchema, db: { plan: 'pro' } });
    const db = await subscription.getDb();
    const seats: number = db.seats;
    expect({ ...db, seats }).toEqual({ plan: 'pro', seats: 1, credits: 0 });
    await expect(subscription.updateDb({ seats: 0 })).rejects.toBeInstanceOf(LogupValidationError);
    await expect(
      subscription.changeDb((draft) => {
        draft.credits += 3;
      }),
    ).resolves.toEqual({ plan: 'pro', seats: 1, credits: 3 });
  });

  it('throws LogupDbSchemaError for a DB that does not match', async () => {
    const subscription = createTestSubscription({ dbSchema, db: { plan: 'gold' } });
    await expect(subscription.getDb()).rejects.toBeInstanceOf(LogupDbSchemaError);
  });
});
