import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dbFromObject, type LimitViolation } from './db-limits.js';
import type {
  DbValue,
  EmulatorGate,
  EmulatorLogin,
  EmulatorOptions,
  EmulatorStats,
  FaultEndpoint,
  FaultSpec,
} from './emulator.types.js';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random alphanumeric string (unbiased: bytes >= 248 are skipped). */
export function randomAlphanumeric(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += ALPHANUMERIC[byte % 62];
    }
  }
  return out;
}

export interface Subscription {
  idSubscription: string;
  idActor: string;
  idGate: string;
  db: Map<string, DbValue>;
}

interface Actor {
  idActor: string;
  email: string;
}

interface AccessToken {
  idGate: string;
  expiresAt: number;
}

interface PendingLogupToken {
  idGate: string;
  idSubscription: string;
  expiresAt: number;
}

interface ActiveFault extends Required<Pick<FaultSpec, 'kind' | 'endpoint' | 'count'>> {
  spec: FaultSpec;
}

const FAULT_KINDS = new Set<FaultSpec['kind']>(['latency', 'status', 'hang', 'drop', 'truncate', 'malformed']);
const FAULT_ENDPOINTS = new Set<FaultEndpoint>([
  'any',
  'token',
  'verification',
  'db',
  'db-read',
  'db-update',
  'db-delete',
]);

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
});

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Everything the emulator knows, independent of HTTP. */
export class EmulatorState {
  readonly gates = new Map<string, EmulatorGate>();
  readonly accessTokenTtlSeconds: number;
  readonly logupTokenTtlSeconds: number;
  readonly versions: ReadonlySet<string>;
  stats: EmulatorStats = emptyStats();

  private readonly actors = new Map<string, Actor>();
  private readonly actorByEmail = new Map<string, string>();
  private readonly subscriptions = new Map<string, Subscription>();
  /** `idGate \n idActor` -> idSubscription. */
  private readonly subscriptionByGateActor = new Map<string, string>();
  private readonly accessTokens = new Map<string, AccessToken>();
  private readonly logupTokens = new Map<string, PendingLogupToken>();
  private faults: ActiveFault[] = [];

  constructor(private readonly options: EmulatorOptions) {
    const gates = Array.isArray(options.gates)
      ? options.gates
      : Object.entries(options.gates ?? {}).map(([idGate, secret]) => ({ idGate, secret }));
    if (gates.length === 0) throw new Error('logup-emulator: configure at least one gate (idGate -> secret)');
    for (const gate of gates) {
      if (!gate.idGate || !gate.secret) throw new Error('logup-emulator: every gate needs an idGate and a secret');
      this.gates.set(gate.idGate, { ...gate });
    }
    this.accessTokenTtlSeconds = positive(options.accessTokenTtlSeconds, 3600, 'accessTokenTtlSeconds');
    this.logupTokenTtlSeconds = positive(options.logupTokenTtlSeconds, 600, 'logupTokenTtlSeconds');
    this.versions = new Set(options.versions ?? ['v1_0', 'v1_1']);
    if (options.dataFile) this.load(options.dataFile);
  }

  /** Grants an access token for valid gate credentials, else undefined. */
  grant(idGate: string, secret: string): string | undefined {
    const gate = this.gates.get(idGate);
    if (!gate || !safeEqual(gate.secret, secret)) return undefined;
    const token = randomAlphanumeric(64);
    this.accessTokens.set(token, { idGate, expiresAt: Date.now() + this.accessTokenTtlSeconds * 1000 });
    this.stats.tokenGrants++;
    return token;
  }

  /** The gate an access token belongs to, or why it is refused. */
  authenticate(token: string | undefined): { idGate: string } | { errorMessage: string } {
    if (!token) return { errorMessage: 'MISSING_ACCESS_TOKEN' };
    const found = this.accessTokens.get(token);
    if (!found) return { errorMessage: 'INVALID_ACCESS_TOKEN' };
    if (found.expiresAt <= Date.now()) {
      this.accessTokens.delete(token);
      return { errorMessage: 'EXPIRED_ACCESS_TOKEN' };
    }
    return { idGate: found.idGate };
  }

  /** Revokes every access token (of one gate, or of all gates). Returns how many. */
  revokeAccessTokens(idGate?: string): number {
    let revoked = 0;
    for (const [token, value] of this.accessTokens) {
      if (!idGate || value.idGate === idGate) {
        this.accessTokens.delete(token);
        revoked++;
      }
    }
    return revoked;
  }

  /**
   * Finds or creates the actor and their subscription to the gate, and mints a
   * logupToken. `persist: false` leaves writing the data file to the caller (bulk logins).
   */
  login(
    idGate: string,
    email: string,
    isNewUser?: boolean,
    db?: unknown,
    persist = true,
  ): EmulatorLogin | LimitViolation {
    if (!this.gates.has(idGate)) return { errorMessage: 'UNKNOWN_GATE', message: `no gate "${idGate}"` };
    const normalized = email.trim().toLowerCase();
    if (!/^[^\s@]+@[^\s@]+$/.test(normalized) || normalized.length > 254) {
      return { errorMessage: 'INVALID_EMAIL', message: 'email must look like name@example.com' };
    }
    let newDb: Map<string, DbValue> | undefined;
    if (db !== undefined) {
      const parsed = dbFromObject(db);
      if (!(parsed instanceof Map)) return parsed;
      newDb = parsed;
    }
    let idActor = this.actorByEmail.get(normalized);
    if (!idActor) {
      idActor = `acr_${randomAlphanumeric(16)}`;
      this.actors.set(idActor, { idActor, email: normalized });
      this.actorByEmail.set(normalized, idActor);
    }
    let subscription = this.subscriptionOf(idGate, idActor);
    const created = !subscription;
    if (!subscription) {
      subscription = { idSubscription: `sub_${randomAlphanumeric(16)}`, idActor, idGate, db: new Map() };
      this.index(subscription);
    }
    if (newDb) subscription.db = newDb;
    if (this.logupTokens.size >= 10_000) this.sweepExpiredLogupTokens();
    const logupToken = randomAlphanumeric(128);
    this.logupTokens.set(logupToken, {
      idGate,
      idSubscription: subscription.idSubscription,
      expiresAt: Date.now() + this.logupTokenTtlSeconds * 1000,
    });
    if (persist) this.persist();
    return {
      logupToken,
      idSubscription: subscription.idSubscription,
      idActor,
      isNewUser: isNewUser ?? created,
    };
  }

  /** Consumes a logupToken for a gate: single use, expiring, gate-bound. */
  consumeLogupToken(idGate: string, logupToken: string): Subscription | undefined {
    const pending = this.logupTokens.get(logupToken);
    if (!pending || pending.idGate !== idGate) return undefined;
    this.logupTokens.delete(logupToken);
    if (pending.expiresAt <= Date.now()) return undefined;
    return this.subscriptions.get(pending.idSubscription);
  }

  /** A subscription of the gate by id (v1_1+) or by actor (v1_0); other gates' are invisible. */
  findSubscription(idGate: string, by: 'subscription' | 'actor', id: string): Subscription | undefined {
    if (by === 'actor') return this.subscriptionOf(idGate, id);
    const found = this.subscriptions.get(id);
    return found?.idGate === idGate ? found : undefined;
  }

  /** The subscription by id, whatever its gate (control endpoints only). */
  subscriptionById(idSubscription: string): Subscription | undefined {
    return this.subscriptions.get(idSubscription);
  }

  /** Writes the data file, if one is configured (atomically: temp file then rename). */
  persist(): void {
    const file = this.options.dataFile;
    if (!file) return;
    const data = {
      actors: [...this.actors.values()],
      subscriptions: [...this.subscriptions.values()].map((s) => ({ ...s, db: Object.fromEntries(s.db) })),
    };
    writeFileSync(`${file}.tmp`, JSON.stringify(data));
    renameSync(`${file}.tmp`, file);
  }

  addFault(spec: FaultSpec): string | undefined {
    if (!FAULT_KINDS.has(spec?.kind)) return `kind must be one of ${[...FAULT_KINDS].join(', ')}`;
    const endpoint = spec.endpoint ?? 'any';
    if (!FAULT_ENDPOINTS.has(endpoint)) return `endpoint must be one of ${[...FAULT_ENDPOINTS].join(', ')}`;
    const count = spec.count ?? 1;
    if (!Number.isInteger(count) || count < 1) return 'count must be a positive integer';
    if (spec.kind === 'status' && !(Number.isInteger(spec.status) && spec.status! >= 100 && spec.status! <= 599)) {
      return 'a status fault needs status between 100 and 599';
    }
    if (spec.kind === 'latency' && !(typeof spec.latencyMs === 'number' && spec.latencyMs >= 0)) {
      return 'a latency fault needs latencyMs >= 0';
    }
    this.faults.push({ kind: spec.kind, endpoint, count, spec });
    return undefined;
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** Takes one use of the first fault that matches the endpoint. */
  takeFault(endpoint: Exclude<FaultEndpoint, 'any' | 'db'>): FaultSpec | undefined {
    const index = this.faults.findIndex(
      (f) => f.endpoint === 'any' || f.endpoint === endpoint || (f.endpoint === 'db' && endpoint.startsWith('db-')),
    );
    if (index < 0) return undefined;
    const fault = this.faults[index];
    if (--fault.count === 0) this.faults.splice(index, 1);
    this.stats.faultsApplied++;
    return fault.spec;
  }

  resetStats(): void {
    this.stats = emptyStats();
  }

  private subscriptionOf(idGate: string, idActor: string): Subscription | undefined {
    const id = this.subscriptionByGateActor.get(`${idGate}\n${idActor}`);
    return id === undefined ? undefined : this.subscriptions.get(id);
  }

  private index(subscription: Subscription): void {
    this.subscriptions.set(subscription.idSubscription, subscription);
    this.subscriptionByGateActor.set(`${subscription.idGate}\n${subscription.idActor}`, subscription.idSubscription);
  }

  private sweepExpiredLogupTokens(): void {
    const now = Date.now();
    for (const [token, pending] of this.logupTokens) {
      if (pending.expiresAt <= now) this.logupTokens.delete(token);
    }
  }

  private load(file: string): void {
    let raw: string;
    try {
      raw = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    const data = JSON.parse(raw) as {
      actors: Actor[];
      subscriptions: (Omit<Subscription, 'db'> & { db: Record<string, DbValue> })[];
    };
    for (const actor of data.actors) {
      this.actors.set(actor.idActor, actor);
      this.actorByEmail.set(actor.email, actor.idActor);
    }
    for (const s of data.subscriptions) {
      this.index({ ...s, db: new Map(Object.entries(s.db)) });
    }
  }
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!(typeof value === 'number' && value > 0)) throw new Error(`logup-emulator: ${name} must be a positive number`);
  return value;
}
