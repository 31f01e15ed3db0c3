import type { INestApplicationContext } from '@nestjs/common';
import type { LogupEmulator } from 'logup-emulator';
import { LogupValidationError, type LogupService } from 'nestjs-logup';
import { GATE, email, emulator, logupContext } from '../support/logup-fixture.js';
import { recordingHttp } from './db-fixture.js';

type Db = Record<string, string | number | boolean>;
type Counter = { n: number; a: number; b: number };

/**
 * Two replicas of an app (two Nest contexts, each with its own LogupService and its
 * own outgoing HTTP, recorded and able to hold a call) in front of one LogUp, shared
 * by every test of this file.
 */
let emu: LogupEmulator;
const replicas: { app: INestApplicationContext; logup: LogupService; wire: ReturnType<typeof recordingHttp> }[] = [];

beforeAll(async () => {
  emu = await emulator();
  for (let i = 0; i < 2; i++) {
    const wire = recordingHttp();
    replicas.push({ ...(await logupContext(emu, { httpService: wire.httpService })), wire });
  }
});
afterAll(async () => {
  for (const replica of replicas) await replica.app.close();
  await emu?.stop();
});
beforeEach(() => {
  emu.resetStats();
  for (const replica of replicas) replica.wire.calls.length = 0;
});

const stored = (db: Db) => emu.login({ idGate: GATE.idGate, email: email(), db }).idSubscription;
const methods = (i: number) => replicas[i].wire.calls.map((call) => call.method);

describe('changeDb: only what changed is sent, in order', () => {
  it('sends the changed keys (PUT) and the removed ones (DELETE), nothing else', async () => {
    const id = stored({ plan: 'pro', seats: 2, nickname: 'x', other: 'kept' });
    const db = await replicas[0].logup.subscription(id).changeDb((draft) => {
      draft.seats = 5;
      draft.plan = 'pro'; // the same value: not a change
      delete draft.nickname;
    });
    expect(db).toEqual({ plan: 'pro', seats: 5, other: 'kept' });
    expect(replicas[0].wire.calls.map(({ method, body }) => ({ method, body }))).toEqual([
      { method: 'GET', body: undefined },
      { method: 'DELETE', body: { keys: ['nickname'] } },
      { method: 'PUT', body: { data: [{ key: 'seats', value: 5 }] } },
    ]);
  });

  it('takes a returned DB too (a key left out is removed), and sends nothing when nothing changed', async () => {
    const id = stored({ a: 1, b: 2 });
    const sub = replicas[0].logup.subscription(id);
    await expect(sub.changeDb(({ a: _a, ...rest }) => ({ ...rest, c: true }))).resolves.toEqual({ b: 2, c: true });
    replicas[0].wire.calls.length = 0;
    await expect(sub.changeDb((draft) => ({ ...draft }))).resolves.toEqual({ b: 2, c: true });
    expect(methods(0)).toEqual(['GET']);
  });

  it('removes before it adds, so a full DB can swap a key (PUT first would get TOO_MANY_KEYS)', async () => {
    const id = stored(Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i])));
    const db = await replicas[0].logup.subscription(id).changeDb((draft) => {
      delete draft.k0;
      draft.fresh = 'yes';
    });
    expect(Object.keys(db)).toHaveLength(20);
    expect(emu.db(id)).toMatchObject({ fresh: 'yes' });
  });
});

describe('changeDb: a bad change or result sends nothing', () => {
  it("checks LogUp's limits on the result and lists every problem, sending nothing after the read", async () => {
    const id = stored(Object.fromEntries(Array.from({ length: 19 }, (_, i) => [`k${i}`, i])));
    const error = (await replicas[0].logup
      .subscription(id)
      .changeDb((draft) => {
        draft.long = 'v'.repeat(1025);
        draft['x'.repeat(33)] = 1;
        (draft as Record<string, unknown>).obj = { nested: true };
      })
      .catch((e: unknown) => e)) as LogupValidationError;
    expect(error).toBeInstanceOf(LogupValidationError);
    expect(error.issues).toEqual([
      { path: 'value of "long"', message: 'is 1025 characters; at most 1024' },
      { path: `key "${'x'.repeat(33)}"`, message: 'is 33 characters; at most 32' },
      { path: 'value of "obj"', message: 'must be a string, a finite number or a boolean, not object' },
      { path: 'db', message: 'would hold 22 keys; at most 20' },
    ]);
    expect(methods(0)).toEqual(['GET']);
    expect(emu.stats()).toMatchObject({ dbUpdates: 0, dbDeletes: 0 });
  });

  it('refuses a change that is not a synchronous function, sending nothing', async () => {
    const id = stored({ a: 1 });
    const sub = replicas[0].logup.subscription(id);
    await expect(sub.changeDb('a = 2' as never)).rejects.toThrow('change must be a function');
    await expect(
      sub.changeDb(((draft: Counter) => {
        draft.a = 2;
        return Promise.resolve(); // an async function, as a caller might pass one
      }) as never),
    ).rejects.toThrow('change must be synchronous');
    // An arrow that returns its assignment (db.a = 2) or its increment (db.a++) returns a number.
    await expect(sub.changeDb(((draft: Counter) => draft.a++) as never)).rejects.toThrow(
      'change returned number: return nothing (after changing the draft) or a new DB object',
    );
    expect(emu.db(id)).toEqual({ a: 1 });
    expect(emu.stats().dbUpdates).toBe(0);
  });
});

describe('changeDb: changes of one subscription in one process are queued', () => {
  it('applies concurrent changes of one subscription in one process one after another: none is lost', async () => {
    const id = stored({ n: 0 });
    // Five requests of one replica, each with its own LogupSubscription instance.
    const increments = Array.from({ length: 5 }, () =>
      replicas[0].logup.subscription<Counter>(id).changeDb((draft) => {
        draft.n = (draft.n ?? 0) + 1;
      }),
    );
    const results = await Promise.all(increments);
    expect(results.map((db) => db.n)).toEqual([1, 2, 3, 4, 5]);
    expect(emu.db(id)).toEqual({ n: 5 });
    expect(methods(0)).toEqual(['GET', 'PUT', 'GET', 'PUT', 'GET', 'PUT', 'GET', 'PUT', 'GET', 'PUT']);
  });

  it('applies updateDb, deleteDbValues and changeDb of one subscription in call order', async () => {
    const id = stored({ a: 0 });
    const sub = () => replicas[0].logup.subscription<Counter>(id);
    const calls = [
      sub().updateDb({ a: 1 }),
      sub().deleteDbValues(['a']),
      sub().changeDb((draft) => {
        draft.b = draft.a === undefined ? 1 : -1; // sees the delete
      }),
      sub().updateDb({ a: 2 }),
    ];
    await Promise.all(calls);
    expect(methods(0)).toEqual(['PUT', 'DELETE', 'GET', 'GET', 'PUT', 'PUT']);
    expect(emu.db(id)).toEqual({ a: 2, b: 1 });
  });
});

describe('changeDb: a failed change, and the lost update the queue prevents', () => {
  it('keeps going after a change that failed', async () => {
    const id = stored({ n: 0 });
    const sub = replicas[0].logup.subscription<Counter>(id);
    const failing = sub.changeDb(() => {
      throw new Error('the app changed its mind');
    });
    const next = sub.changeDb((draft) => {
      draft.n = 1;
    });
    await expect(failing).rejects.toThrow('the app changed its mind');
    await expect(next).resolves.toEqual({ n: 1 });
  });

  it('the lost update it prevents: the naive read-modify-write, five in one process, keeps one of five', async () => {
    const id = stored({ n: 0 });
    const subs = Array.from({ length: 5 }, () => replicas[0].logup.subscription<Counter>(id));
    // The interleaving concurrent requests produce when reads are not queued: every
    // read lands before any write (forced here, so the outcome is exact).
    const reads = await Promise.all(subs.map((sub) => sub.getDb()));
    await Promise.all(subs.map((sub, i) => sub.updateDb({ ...reads[i], n: (reads[i].n ?? 0) + 1 })));
    expect(emu.db(id)).toEqual({ n: 1 });
  });
});

describe('changeDb across replicas (no version check in LogUp)', () => {
  /**
   * The interleaving both tests force: replica 0 reads, then replica 1 reads and
   * writes, then replica 0 writes what it computed from its (now old) read.
   */
  it('writers of different keys never overwrite each other', async () => {
    const id = stored({ a: 0, b: 0 });
    const held = replicas[0].wire.holdNext('PUT');
    const first = replicas[0].logup.subscription<Counter>(id).changeDb((draft) => {
      draft.a = 1;
    });
    await held.reached; // replica 0 has read { a: 0, b: 0 } and is about to write
    await replicas[1].logup.subscription<Counter>(id).changeDb((draft) => {
      draft.b = 1;
    });
    held.release();
    await first;
    expect(emu.db(id)).toEqual({ a: 1, b: 1 });
    expect(replicas[0].wire.calls.at(-1)?.body).toEqual({ data: [{ key: 'a', value: 1 }] });
  });

  it('the naive read-modify-write with updateDb(whole DB), same interleaving, loses the other key', async () => {
    const id = stored({ a: 0, b: 0 });
    const sub = replicas[0].logup.subscription<Counter>(id);
    const read = await sub.getDb();
    const other = replicas[1].logup.subscription<Counter>(id);
    await other.updateDb({ ...(await other.getDb()), b: 1 });
    await sub.updateDb({ ...read, a: 1 });
    expect(emu.db(id)).toEqual({ a: 1, b: 0 }); // replica 1's b = 1 is lost
  });

  it('is NOT safe for the same key: the last writer wins (a counter loses an increment)', async () => {
    const id = stored({ n: 0 });
    const held = replicas[0].wire.holdNext('PUT');
    const increment = (draft: Partial<Counter>) => {
      draft.n = (draft.n ?? 0) + 1;
    };
    const first = replicas[0].logup.subscription<Counter>(id).changeDb(increment);
    await held.reached;
    await replicas[1].logup.subscription<Counter>(id).changeDb(increment);
    held.release();
    await first;
    expect(emu.db(id)).toEqual({ n: 1 }); // two increments, one survives
  });
});
