/** A value LogUp stores in a subscription DB: string, finite number or boolean. */
export type LogupDbValue = string | number | boolean;

/** A subscription DB: a flat key-value object. */
export type LogupDb = Record<string, LogupDbValue>;

/** @deprecated Use {@link LogupDbValue} (the name `nestjs-logup` uses). */
export type DbValue = LogupDbValue;

/** @deprecated Use {@link LogupDb} (the name `nestjs-logup` uses). */
export type Db = LogupDb;

/** One gate the emulator knows. */
export interface EmulatorGate {
  /** The gate id, e.g. `gate_demo`. */
  idGate: string;
  /** The gate secret key. */
  secret: string;
  /** The site's name, shown on the hosted login page. Default: the `idGate`. */
  name?: string;
  /**
   * The gate's redirect URL, as a site owner configures it in LogUp's console: where
   * the hosted login page sends visitors when the login URL names no `redirect`.
   * Its own query is kept (`https://app.example/cb?logupNonce=abc`). Always an
   * allowed redirect target. Default: none (the login URL must name a `redirect`).
   */
  redirectUrl?: string;
  /**
   * More URLs the hosted login page may redirect to. A target is allowed when its
   * scheme, host and port equal an allowed URL's, and its path equals that URL's
   * path or continues it after a `/` (any query). Default: when neither this nor
   * `redirectUrl` is set, any `http(s)` URL on a loopback host (`localhost`,
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
  /**
   * The status `POST /verification` answers with (verified or not). LogUp's reference
   * lists both; its swagger says 201. Default `201`.
   */
  verificationStatus?: 200 | 201;
  /** API versions served, each matching `^v\d{1,2}_\d{1,3}$`. Default `['v1_0', 'v1_1']`. */
  versions?: string[];
  /**
   * How a DB string value's size is counted against LogUp's limit ("under 1 KB: at most
   * 1024 characters"): `'characters'` (Unicode code points, the lenient reading) or
   * `'bytes'` (its UTF-8 encoding, the strict one: 1,024 × `é` is 2,048 bytes and is
   * refused). Default `'characters'`.
   */
  valueLimit?: 'characters' | 'bytes';
  /** A JSON file that keeps actors, subscriptions and DBs across restarts. Default: memory only. */
  dataFile?: string;
  /**
   * Receives one line per request (method, path without query, status, ms) and one
   * per internal error. Never secrets.
   */
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
  /** `GET .../db` calls answered. */
  dbReads: number;
  /** `PUT .../db` calls that changed the DB. */
  dbUpdates: number;
  /** `DELETE .../db` calls answered 204. */
  dbDeletes: number;
  /** TCP connections accepted. */
  connections: number;
  /** API requests answered with a 4xx status. */
  rejected: number;
  /** Requests a fault was applied to. */
  faultsApplied: number;
  /** Requests a `hold` fault is holding now, waiting for a release. */
  held: number;
}

/** The API endpoints a fault can target. */
export type FaultEndpoint = 'any' | 'token' | 'verification' | 'db' | 'db-read' | 'db-update' | 'db-delete';

/**
 * A fault applied to the next `count` API requests that match `endpoint`.
 * - `latency`: wait `latencyMs`, then answer normally;
 * - `status`: answer `status` (200-599) with `body` as JSON (default
 *   `{ errorMessage: 'EMULATED_FAULT' }`) and `headers`;
 * - `hang`: never answer (the socket stays open until the client gives up);
 * - `drop`: close the connection without answering;
 * - `truncate`: send the headers and part of a body, then close the connection;
 * - `malformed`: answer 200 with a body that is not valid JSON;
 * - `hold`: wait until the test releases held requests (`releaseHeld()`, or
 *   `POST /__emulator/faults/release`), then answer normally: a LogUp that answers
 *   when told, for races made deterministic.
 */
export interface FaultSpec {
  kind: 'latency' | 'status' | 'hang' | 'drop' | 'truncate' | 'malformed' | 'hold';
  /** Default `'any'`. */
  endpoint?: FaultEndpoint;
  /** How many matching requests it applies to. Default `1`. */
  count?: number;
  /** For `latency`: milliseconds to wait. */
  latencyMs?: number;
  /** For `status`: the status to answer. */
  status?: number;
  /** For `status`: the JSON body to answer. */
  body?: unknown;
  /** For `status`: extra response headers, e.g. `{ 'retry-after': '2' }`. */
  headers?: Record<string, string>;
}

/** What a login (browser or `POST /__emulator/login`) produces. */
export interface EmulatorLogin {
  logupToken: string;
  idSubscription: string;
  idActor: string;
  isNewUser: boolean;
}
