/** A value LogUp stores in a subscription DB. */
export type DbValue = string | number | boolean;

/** A subscription DB: a flat key-value object. */
export type Db = Record<string, DbValue>;

/** One gate the emulator knows. */
export interface EmulatorGate {
  /** The gate id, e.g. `gate_demo`. */
  idGate: string;
  /** The gate secret key. */
  secret: string;
  /**
   * URL prefixes the hosted login page may redirect to (scheme, host, port and a
   * path prefix). Default: any `http(s)` URL on a loopback host (`localhost`,
   * `127.0.0.1`, `[::1]`), since the emulator is a local tool.
   */
  redirectUrls?: string[];
}

/** Options of {@link startEmulator} and {@link LogupEmulator}. */
export interface EmulatorOptions {
  /** TCP port; `0` picks a free one. Default `4010`. */
  port?: number;
  /** Address to listen on. Default `127.0.0.1` (loopback only). */
  host?: string;
  /** The gates: a list, or an `idGate -> secret` record. At least one. */
  gates: EmulatorGate[] | Record<string, string>;
  /** Access-token lifetime in seconds (`expires_in`). Default `3600`. */
  accessTokenTtlSeconds?: number;
  /** How long a logupToken stays verifiable, in seconds. Default `600`. */
  logupTokenTtlSeconds?: number;
  /** API versions served. Default `['v1_0', 'v1_1']`. */
  versions?: string[];
  /** A JSON file that keeps actors, subscriptions and DBs across restarts. Default: memory only. */
  dataFile?: string;
  /** Receives one line per request (method, path without query, status, ms). Never secrets. */
  log?: (line: string) => void;
}

/** Counters returned by `GET /__emulator/stats`. */
export interface EmulatorStats {
  /** Every HTTP request received, control endpoints included. */
  requests: number;
  /** Requests to the LogUp API (`/{version}/...`): what a client sent to "LogUp". */
  apiRequests: number;
  /** Access tokens granted (`POST /oauth/token` answered 201). */
  tokenGrants: number;
  /** Calls to `POST /verification` that were processed (any outcome). */
  verifications: number;
  dbReads: number;
  dbUpdates: number;
  dbDeletes: number;
  /** TCP connections accepted. */
  connections: number;
  /** API requests answered with a 4xx status. */
  rejected: number;
  /** Requests a fault was applied to. */
  faultsApplied: number;
}

/** The API endpoints a fault can target. */
export type FaultEndpoint = 'any' | 'token' | 'verification' | 'db' | 'db-read' | 'db-update' | 'db-delete';

/**
 * A fault applied to the next `count` API requests that match `endpoint`.
 * - `latency`: wait `latencyMs`, then answer normally;
 * - `status`: answer `status` with `body` (default `{ errorMessage: 'EMULATED_FAULT' }`) and `headers`;
 * - `hang`: never answer (the socket stays open until the client gives up);
 * - `drop`: close the connection without answering;
 * - `truncate`: send the headers and part of a body, then close the connection;
 * - `malformed`: answer 200 with a body that is not valid JSON.
 */
export interface FaultSpec {
  kind: 'latency' | 'status' | 'hang' | 'drop' | 'truncate' | 'malformed';
  /** Default `'any'`. */
  endpoint?: FaultEndpoint;
  /** How many matching requests it applies to. Default `1`. */
  count?: number;
  latencyMs?: number;
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** What a login (browser or `POST /__emulator/login`) produces. */
export interface EmulatorLogin {
  logupToken: string;
  idSubscription: string;
  idActor: string;
  isNewUser: boolean;
}
