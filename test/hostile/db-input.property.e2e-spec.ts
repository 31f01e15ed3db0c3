import fc from 'fast-check';
import { LogupApiError, LogupValidationError } from 'nestjs-logup';
import { Visitor } from '../support/browserless.js';
import { GATE, email, withLogup } from '../support/logup-fixture.js';
import { logIn, startSample, type RunningSample } from '../support/sample-app.js';

const key = fc.oneof(
  fc.string({ maxLength: 34 }),
  fc.string({ unit: 'grapheme', minLength: 28, maxLength: 36 }),
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', ''),
);
const dbValue = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', minLength: 1000, maxLength: 1030 }),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.anything(),
);

type Library = ReturnType<typeof withLogup> & { accessToken: string };

/** What LogUp itself answers to the same update, on a scratch copy of the DB. */
async function logupAnswers(lib: Library, db: Record<string, unknown>, data: Record<string, unknown>): Promise<number> {
  const scratch = lib.emu.login({ idGate: GATE.idGate, email: email('scratch'), db: db as never });
  const body = JSON.stringify({ data: Object.keys(data).map((k) => ({ key: k, value: data[k] })) });
  const res = await fetch(`${lib.emu.url}/v1_1/subscription/${scratch.idSubscription}/db`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${lib.accessToken}` },
    body,
  });
  return res.status;
}

/**
 * One update (`data`) of a DB holding `prefill` keys: accepted and stored, refused by the
 * library (sending nothing, and refused by LogUp too), or refused by LogUp as too many keys.
 * Returns which of the three.
 */
async function tryUpdate(lib: Library, data: Record<string, unknown>, prefill: number) {
  const db = Object.fromEntries(Array.from({ length: prefill }, (_, i) => [`pre${i}`, i]));
  const login = lib.emu.login({ idGate: GATE.idGate, email: email('prop'), db });
  const sub = lib.logup.subscription(login.idSubscription);
  const before = lib.emu.stats().apiRequests;
  const outcome = await sub.updateDb(data as never).then(
    (result) => ({ ok: true as const, result }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  if (outcome.ok) {
    expect(outcome.result).toEqual({ ...db, ...JSON.parse(JSON.stringify(data)) });
    expect(lib.emu.db(login.idSubscription)).toEqual(outcome.result);
    return 'ok';
  }
  expect(lib.emu.db(login.idSubscription)).toEqual(db);
  if (outcome.error instanceof LogupValidationError) {
    expect(lib.emu.stats().apiRequests).toBe(before);
    const keys = Object.keys(data);
    // Beyond LogUp's own rules the library refuses an empty update and the key "__proto__".
    if (keys.length > 0 && !keys.includes('__proto__')) expect(await logupAnswers(lib, db, data)).toBe(400);
    return 'validation';
  }
  // Within the per-update limits, only LogUp knows the DB would pass 20 keys.
  expect(outcome.error).toBeInstanceOf(LogupApiError);
  expect(outcome.error).toMatchObject({ status: 400, errorMessage: 'TOO_MANY_KEYS' });
  return 'too-many';
}

/** One deleteDbValues(`keys`): refused with nothing sent, or the DB without those keys. */
async function tryDelete(lib: Library, keys: unknown) {
  const login = lib.emu.login({ idGate: GATE.idGate, email: email('del'), db: { a: 1, constructor: 'c' } });
  const before = lib.emu.stats().apiRequests;
  const result = await lib.logup
    .subscription(login.idSubscription)
    .deleteDbValues(keys as string[])
    .catch((e: unknown) => e);
  if (result instanceof Error) {
    expect(result).toBeInstanceOf(LogupValidationError);
    expect(lib.emu.stats().apiRequests).toBe(before);
    expect(lib.emu.db(login.idSubscription)).toEqual({ a: 1, constructor: 'c' });
  } else {
    const removed = new Set(keys as string[]);
    expect(result).toEqual(
      Object.fromEntries(Object.entries({ a: 1, constructor: 'c' }).filter(([k]) => !removed.has(k))),
    );
  }
}

describe('hostile DB input through the library', () => {
  const lib = withLogup() as Library;

  beforeAll(async () => {
    const res = await fetch(`${lib.emu.url}/v1_1/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: GATE.idGate, client_secret: GATE.secret, grant_type: 'client_credentials' }),
    });
    lib.accessToken = ((await res.json()) as { access_token: string }).access_token;
  });

  it('updateDb accepts exactly what LogUp accepts, and a rejected update changes and sends nothing', async () => {
    const outcomes = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.dictionary(key, dbValue, { maxKeys: 23 }),
          // Valid updates too, so LogUp's own 20-keys-per-DB limit is reached.
          fc.dictionary(
            fc.string({ minLength: 1, maxLength: 32 }).filter((k) => k !== '__proto__'),
            fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean()),
            { minKeys: 1, maxKeys: 20 },
          ),
        ),
        fc.integer({ min: 0, max: 18 }),
        async (data, prefill) => {
          outcomes.add(await tryUpdate(lib, data, prefill));
        },
      ),
      { numRuns: 250 },
    );
    expect([...outcomes].sort()).toEqual(['ok', 'too-many', 'validation']);
  });

  it('deleteDbValues rejects anything but 1-20 valid key names, sending nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.array(fc.oneof(key, fc.anything()), { maxLength: 25 }), fc.anything()), (keys) =>
        tryDelete(lib, keys),
      ),
      { numRuns: 200 },
    );
  });
});

describe.each(['express', 'fastify'] as const)('hostile DB forms through the sample app (%s)', (adapter) => {
  let sample: RunningSample;
  beforeAll(async () => {
    sample = await startSample(adapter);
  });
  afterAll(() => sample?.close());

  it('never answer 5xx, and a rejected form leaves the DB as it was', async () => {
    const visitor = new Visitor(sample.url);
    const login = await logIn(sample, visitor, { email: `forms-${adapter}@example.com`, db: { keep: 'me' } });
    const csrf = Visitor.csrfOf((await visitor.get('/me')).body);
    const field = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'grapheme', minLength: 1020, maxLength: 1030 }),
    );
    await fc.assert(
      fc.asyncProperty(
        field,
        field,
        fc.oneof(fc.constantFrom('string', 'number', 'boolean'), fc.string({ maxLength: 8 })),
        fc.boolean(),
        async (k, v, type, asDelete) => {
          const before = await sample.emulator.db(login.idSubscription);
          const res = asDelete
            ? await visitor.post('/me/db/delete', { _csrf: csrf, keys: [k, v] })
            : await visitor.post('/me/db', { _csrf: csrf, key: k, value: v, type });
          expect([303, 400]).toContain(res.status);
          if (res.status === 400) expect(await sample.emulator.db(login.idSubscription)).toEqual(before);
        },
      ),
      { numRuns: 120 },
    );
    expect(sample.alive()).toBe(true);
  });
});
