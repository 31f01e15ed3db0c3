import type { LogupEmulator } from 'logup-emulator';
import { Visitor } from '../support/browserless.js';
import { GATE, email } from '../support/logup-fixture.js';
import { withEmulatorApp } from '../support/nest-app.js';
import {
  LOGIN_VALUE_KEYS,
  PENDING_VALUE_KEYS,
  SESSION_STORES,
  sessionStoreApp,
  type SessionStoreApp,
  type SessionStoreKind,
} from '../support/session-stores.js';

/** The session libraries' own bookkeeping, next to the guard's `logup` key. */
const LIBRARY_KEYS: Record<(typeof SESSION_STORES)[number], string[]> = {
  'express-session': ['cookie'],
  'cookie-session': [],
  '@fastify/secure-session': [],
  '@fastify/session': ['cookie'],
};

type Store = SessionStoreApp & { emu: LogupEmulator };

/** For the stores that keep sessions on the server: the session id changes at login. */
function noFixationTest(store: Store, kind: SessionStoreKind): void {
  it('gives the visitor a new session id at login, and the old one logs nobody in (no fixation)', async () => {
    const visitor = new Visitor(store.url);
    await visitor.get('/logup/login', false);
    const preLogin = visitor.cookieHeader();
    const before = store.ids().filter((id) => !idsBefore.has(id));
    expect(before).toHaveLength(1);
    const login = store.emu.login({ idGate: GATE.idGate, email: email(kind.replace(/\W/g, '')) });
    const res = await visitor.get(`/logup/callback?logupToken=${login.logupToken}&isNewUser=true`, false);
    expect(res.status).toBe(200);
    const cookie = res.setCookies.find((c) => c.startsWith('sid='));
    expect(cookie).toBeDefined();
    expect(cookie).not.toContain(encodeURIComponent(before[0]));
    // @fastify/session forgets the old id; express-session keeps it 60 s as a marker of the
    // login it became (only a repeat of this very callback can use it), holding no login.
    if (kind === '@fastify/session') expect(store.ids()).not.toContain(before[0]);
    expect(store.read(preLogin)?.logup).toBeUndefined();
    expect(store.read(visitor.cookieHeader())?.logup).toMatchObject({ idSubscription: login.idSubscription });
  });
  const idsBefore = new Set<string>();
  beforeEach(() => {
    idsBefore.clear();
    for (const id of store.ids()) idsBefore.add(id);
  });
}

/** "Sessions hold ids and times only, never tokens or the DB": read from each store after a login. */
describe.each(SESSION_STORES)('what %s holds', (kind) => {
  const store = withEmulatorApp((emu) => sessionStoreApp(emu, kind));

  it('while a login is pending: its nonce and expiry only', async () => {
    const visitor = new Visitor(store.url);
    const started = Date.now();
    await visitor.get('/logup/login', false);
    const data = store.read(visitor.cookieHeader());
    expect(Object.keys(data ?? {}).sort()).toEqual([...LIBRARY_KEYS[kind], 'logup:pending'].sort());
    const pending = data!['logup:pending'] as Record<string, unknown>;
    expect(Object.keys(pending).sort()).toEqual([...PENDING_VALUE_KEYS]);
    expect(pending.nonce).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(pending.expiresAt).toBeGreaterThanOrEqual(started);
  });

  it('after a login: ids and times only, never the logupToken, an access token or the DB', async () => {
    const visitor = new Visitor(store.url);
    await visitor.get('/logup/login', false);
    const login = store.emu.login({
      idGate: GATE.idGate,
      email: email(kind.replace(/\W/g, '')),
      db: { note: 'db-value-kept-by-logup' },
    });
    const started = Date.now();
    const res = await visitor.get(`/logup/callback?logupToken=${login.logupToken}&isNewUser=false`, false);
    expect(res.status).toBe(200);
    const data = store.read(visitor.cookieHeader());
    expect(Object.keys(data ?? {}).sort()).toEqual([...LIBRARY_KEYS[kind], 'logup'].sort());
    const value = data!.logup as Record<string, unknown>;
    expect(Object.keys(value).sort()).toEqual([...LOGIN_VALUE_KEYS]);
    expect(value).toMatchObject({ idSubscription: login.idSubscription, idActor: login.idActor, isNewUser: false });
    expect(value.sid).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(value.issuedAt).toBeGreaterThanOrEqual(started);
    expect(value.issuedAt).toBeLessThanOrEqual(Date.now());
    const text = JSON.stringify(data);
    expect(text).not.toContain(login.logupToken);
    expect(text).not.toContain('db-value-kept-by-logup');
    expect(text).not.toMatch(/access_?token|Bearer/i);
  });

  if (kind === 'express-session' || kind === '@fastify/session') noFixationTest(store, kind);
});
