import { timingSafeEqual } from 'node:crypto';
import { readDataFile, writeDataFile, type Actor } from './emulator.data-file.js';
import { FaultQueue, HeldRequests, type ApiEndpoint } from './emulator.faults.js';
import { resolveOptions, type ResolvedOptions } from './emulator.options.js';
import { AccessTokens, LogupTokens, randomAlphanumeric, type AccessTokenProblem } from './emulator.tokens.js';
import type { EmulatorLogin, EmulatorOptions, EmulatorStats, FaultSpec, LogupDb } from './emulator.types.js';
import { applyUpdate, dbFromObject, dbToObject, type LimitViolation, type StoredDb } from './logup-db.js';

/** A person's membership of one gate; the DB belongs to it. */
export interface Subscription {
  idSubscription: string;
  idActor: string;
  idGate: string;
  db: StoredDb;
}

/** A login request: who logs in to which gate, and optionally the DB they start with. */
export interface LoginInput {
  idGate: string;
  email: string;
  isNewUser?: boolean;
  db?: unknown;
}

const emptyStats = (): EmulatorStats => ({
  requests: 0,
  apiRequests: 0,
  tokenGrants: 0,
  verifications: 0,
  dbReads: 0,
  dbUpdates: 0,
  dbDeletes: 0,
  connections: 0,
  rejected: 0,
  faultsApplied: 0,
  held: 0,
});

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Everything the emulator knows, independent of HTTP. Every change and every
 * counter goes through a method here.
 */
export class EmulatorState {
  readonly config: ResolvedOptions;
  private stats = emptyStats();
  private readonly accessTokens: AccessTokens;
  private readonly logupTokens: LogupTokens;
  private readonly faults = new FaultQueue();
  /** Requests held by `hold` faults. */
  readonly held = new HeldRequests();
  private readonly actors = new Map<string, Actor>();
  private readonly actorByEmail = new Map<string, string>();
  private readonly subscriptions = new Map<string, Subscription>();
  /** `idGate \n idActor` -> idSubscription. */
  private readonly subscriptionByGateActor = new Map<string, string>();

  constructor(options: EmulatorOptions) {
    this.config = resolveOptions(options);
    this.accessTokens = new AccessTokens(this.config.accessTokenTtlSeconds);
    this.logupTokens = new LogupTokens(this.config.logupTokenTtlSeconds);
    if (this.config.dataFile) this.load(this.config.dataFile);
  }

  /** Counts an HTTP-level event (the other counters move with the changes they count). */
  count(counter: 'requests' | 'apiRequests' | 'connections' | 'rejected'): void {
    this.stats[counter]++;
  }

  snapshotStats(): EmulatorStats {
    return { ...this.stats, held: this.held.size };
  }

  resetStats(): void {
    this.stats = emptyStats();
  }

  /** Grants an access token for valid gate credentials, else undefined. */
  grant(idGate: string, secret: string): string | undefined {
    const gate = this.config.gates.get(idGate);
    if (!gate || !safeEqual(gate.secret, secret)) return undefined;
    this.stats.tokenGrants++;
    return this.accessTokens.grant(idGate);
  }

  /** The gate an access token belongs to, or why it is refused. */
  authenticate(token: string | undefined): { idGate: string } | { errorMessage: AccessTokenProblem } {
    return this.accessTokens.authenticate(token);
  }

  /** Revokes every access token (of one gate, or of all gates). Returns how many. */
  revokeAccessTokens(idGate?: string): number {
    return this.accessTokens.revoke(idGate);
  }

  /**
   * Finds or creates the actor and their subscription to the gate, and mints a
   * logupToken. `persist: false` leaves writing the data file to the caller.
   */
  login(input: LoginInput, persist = true): EmulatorLogin | LimitViolation {
    const { idGate, email, isNewUser, db } = input;
    if (!this.config.gates.has(idGate)) return { errorMessage: 'UNKNOWN_GATE', message: `no gate "${idGate}"` };
    const normalized = email.trim().toLowerCase();
    if (!/^[^\s@]+@[^\s@]+$/.test(normalized) || normalized.length > 254) {
      return { errorMessage: 'INVALID_EMAIL', message: 'email must look like name@example.com' };
    }
    const newDb = db === undefined ? undefined : dbFromObject(db, this.config.valueLimit);
    if (newDb && !(newDb instanceof Map)) return newDb;
    const idActor = this.actorFor(normalized);
    let subscription = this.subscriptionOf(idGate, idActor);
    const created = !subscription;
    subscription ??= this.subscribe(idGate, idActor);
    if (newDb) subscription.db = newDb;
    const logupToken = this.logupTokens.mint(idGate, subscription.idSubscription);
    if (persist) this.persist();
    return { logupToken, idSubscription: subscription.idSubscription, idActor, isNewUser: isNewUser ?? created };
  }

  /** `count` single-use logupTokens for one visitor, writing the data file once. */
  loginMany(idGate: string, email: string, count: number): EmulatorLogin[] | LimitViolation {
    const logins: EmulatorLogin[] = [];
    for (let i = 0; i < count; i++) {
      const result = this.login({ idGate, email, isNewUser: true }, false);
      if ('errorMessage' in result) return result;
      logins.push(result);
    }
    this.persist();
    return logins;
  }

  /** Consumes a logupToken for a gate: the subscription it proves, or undefined. */
  verify(idGate: string, logupToken: string): Subscription | undefined {
    this.stats.verifications++;
    const idSubscription = this.logupTokens.consume(idGate, logupToken);
    return idSubscription === undefined ? undefined : this.subscriptions.get(idSubscription);
  }

  /** A gate's subscription's DB (only the named keys, if any); undefined when not found. */
  readDb(idGate: string, idSubscription: string, keys?: string[]): LogupDb | undefined {
    const subscription = this.subscriptionOfGate(idGate, idSubscription);
    if (!subscription) return undefined;
    this.stats.dbReads++;
    return dbToObject(subscription.db, keys);
  }

  /** Applies a PUT body, all or nothing; undefined when the subscription is not found. */
  updateDb(idGate: string, idSubscription: string, body: unknown): { db: LogupDb } | LimitViolation | undefined {
    const subscription = this.subscriptionOfGate(idGate, idSubscription);
    if (!subscription) return undefined;
    const next = applyUpdate(subscription.db, body, this.config.valueLimit);
    if (!(next instanceof Map)) return next;
    subscription.db = next;
    this.stats.dbUpdates++;
    this.persist();
    return { db: dbToObject(next) };
  }

  /** Removes keys from a DB; false when the subscription is not found. */
  deleteDbKeys(idGate: string, idSubscription: string, keys: string[]): boolean {
    const subscription = this.subscriptionOfGate(idGate, idSubscription);
    if (!subscription) return false;
    for (const key of keys) subscription.db.delete(key);
    this.stats.dbDeletes++;
    this.persist();
    return true;
  }

  /** A DB as stored, whatever its gate, without counting a read (control endpoints). */
  peekDb(idSubscription: string): LogupDb | undefined {
    const subscription = this.subscriptionById(idSubscription);
    return subscription && dbToObject(subscription.db);
  }

  /** Adds a fault; returns why it is refused, or undefined. */
  addFault(spec: FaultSpec): string | undefined {
    return this.faults.add(spec);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Takes one use of the first fault matching the endpoint, counting it. */
  takeFault(endpoint: ApiEndpoint): FaultSpec | undefined {
    const fault = this.faults.take(endpoint);
    if (fault) this.stats.faultsApplied++;
    return fault;
  }

  private actorFor(email: string): string {
    const known = this.actorByEmail.get(email);
    if (known) return known;
    const idActor = `acr_${randomAlphanumeric(16)}`;
    this.actors.set(idActor, { idActor, email });
    this.actorByEmail.set(email, idActor);
    return idActor;
  }

  private subscribe(idGate: string, idActor: string): Subscription {
    const subscription = { idSubscription: `sub_${randomAlphanumeric(16)}`, idActor, idGate, db: new Map() };
    this.index(subscription);
    return subscription;
  }

  private subscriptionById(idSubscription: string): Subscription | undefined {
    return this.subscriptions.get(idSubscription);
  }

  /** A subscription of the gate; other gates' subscriptions are invisible. */
  private subscriptionOfGate(idGate: string, idSubscription: string): Subscription | undefined {
    const found = this.subscriptions.get(idSubscription);
    return found?.idGate === idGate ? found : undefined;
  }

  private subscriptionOf(idGate: string, idActor: string): Subscription | undefined {
    const id = this.subscriptionByGateActor.get(`${idGate}\n${idActor}`);
    return id === undefined ? undefined : this.subscriptions.get(id);
  }

  private index(subscription: Subscription): void {
    this.subscriptions.set(subscription.idSubscription, subscription);
    this.subscriptionByGateActor.set(`${subscription.idGate}\n${subscription.idActor}`, subscription.idSubscription);
  }

  private persist(): void {
    if (!this.config.dataFile) return;
    writeDataFile(this.config.dataFile, {
      actors: [...this.actors.values()],
      subscriptions: [...this.subscriptions.values()].map((s) => ({ ...s, db: dbToObject(s.db) })),
    });
  }

  private load(file: string): void {
    const data = readDataFile(file);
    for (const actor of data?.actors ?? []) {
      this.actors.set(actor.idActor, actor);
      this.actorByEmail.set(actor.email, actor.idActor);
    }
    for (const s of data?.subscriptions ?? []) this.index({ ...s, db: new Map(Object.entries(s.db)) });
  }
}
