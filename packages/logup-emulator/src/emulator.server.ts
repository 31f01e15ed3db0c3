import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { handleApi } from './emulator.api.js';
import { handleControl } from './emulator.control.js';
import { HttpError, parseTarget, sendJson, type RequestTarget } from './emulator.http.js';
import { EmulatorState } from './emulator.state.js';
import type { EmulatorLogin, EmulatorOptions, EmulatorStats, FaultSpec, LogupDb } from './emulator.types.js';
import { handleLoginPage } from './login-page.js';

/**
 * A request (headers and body) must arrive within this many ms, else Node answers 408
 * and closes the connection (checked every second). Node's own defaults (60 s for the
 * headers, 300 s for the whole request) would keep a stalled client's socket open
 * for minutes.
 */
export const REQUEST_TIMEOUT_MS = 10_000;

/** Which part of the emulator a request went to (API 4xx answers count as `rejected`). */
type Area = 'api' | 'control' | 'login' | 'other';

/**
 * A local LogUp: the REST API of LOGUP-API.md, the hosted login page, and test
 * control endpoints under `/__emulator/`. Start it with {@link startEmulator}.
 */
export class LogupEmulator {
  /** The state behind the API, for in-process tests. */
  readonly state: EmulatorState;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private address?: AddressInfo;

  constructor(private readonly options: EmulatorOptions) {
    this.state = new EmulatorState(options);
    this.server = createServer(
      { requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: REQUEST_TIMEOUT_MS, connectionsCheckingInterval: 1000 },
      (req, res) => this.handle(req, res),
    );
    this.server.keepAliveTimeout = 65_000;
    this.server.on('connection', (socket) => {
      this.state.count('connections');
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** Starts listening; resolves once the port is bound. */
  async listen(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 4010, this.options.host ?? '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.address = this.server.address() as AddressInfo;
    return this;
  }

  /** The base URL, e.g. `http://127.0.0.1:4010` (API calls go to `${url}/v1_1/...`). */
  get url(): string {
    if (!this.address) throw new Error('logup-emulator: not listening yet');
    const host = this.address.family === 'IPv6' ? `[${this.address.address}]` : this.address.address;
    return `http://${host}:${this.address.port}`;
  }

  /** The port it listens on. */
  get port(): number {
    if (!this.address) throw new Error('logup-emulator: not listening yet');
    return this.address.port;
  }

  /** Logs a visitor in without a browser (same as `POST /__emulator/login`). */
  login(input: { idGate: string; email: string; isNewUser?: boolean; db?: LogupDb }): EmulatorLogin {
    const result = this.state.login(input);
    if ('errorMessage' in result) throw new Error(`logup-emulator: ${result.message}`);
    return result;
  }

  /** The counters (same as `GET /__emulator/stats`). */
  stats(): EmulatorStats {
    return this.state.snapshotStats();
  }

  /** Sets every counter back to 0. */
  resetStats(): void {
    this.state.resetStats();
  }

  /** Injects a fault for the next matching API requests (same as `POST /__emulator/faults`). */
  fault(spec: FaultSpec): void {
    const problem = this.state.addFault(spec);
    if (problem) throw new Error(`logup-emulator: ${problem}`);
  }

  /** Lets every request a `hold` fault is holding go on (answered normally); returns how many. */
  releaseHeld(): number {
    return this.state.held.release();
  }

  /** Removes every pending fault. */
  clearFaults(): void {
    this.state.clearFaults();
  }

  /** Revokes access tokens so the next API call answers 401. */
  revokeAccessTokens(idGate?: string): number {
    return this.state.revokeAccessTokens(idGate);
  }

  /** A subscription's DB as stored, without counting a read. */
  db(idSubscription: string): LogupDb | undefined {
    return this.state.peekDb(idSubscription);
  }

  /** Stops listening and closes every connection, hung ones included. */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.state.held.release();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    if (this.server.listening) await closed;
  }

  /** Every request, whatever it holds, ends here: answered, or failed with a logged 500. */
  private handle(req: IncomingMessage, res: ServerResponse): void {
    const started = Date.now();
    const seen = { area: 'other' as Area, path: '(invalid request target)' };
    this.state.count('requests');
    res.on('finish', () => {
      if (seen.area === 'api' && res.statusCode >= 400 && res.statusCode < 500) this.state.count('rejected');
      this.log(`${req.method} ${seen.path} ${res.statusCode} ${Date.now() - started}ms`);
    });
    this.dispatch(req, res, seen)
      .catch((error: unknown) => this.fail(req, res, error))
      .catch((error: unknown) => this.log(`internal error while failing a request: ${String(error)}`));
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse, seen: { area: Area; path: string }) {
    const target: RequestTarget = parseTarget(req.url);
    seen.path = target.path;
    const [first] = target.segments;
    if (first === undefined) {
      return sendJson(res, 200, { name: 'logup-emulator', versions: [...this.state.config.versions] });
    }
    const exchange = { req, res, method: req.method ?? 'GET', target };
    if (first === '__emulator') {
      seen.area = 'control';
      return handleControl(this.state, exchange);
    }
    if (first === 'login' && target.segments.length === 1) {
      seen.area = 'login';
      return handleLoginPage(this.state, exchange);
    }
    seen.area = 'api';
    return handleApi({ state: this.state, sleep: (ms) => this.sleep(ms) }, req, res, target);
  }

  /**
   * Answers a request whose handling threw: its HttpError, or a 500 for an emulator
   * bug. Whatever state the request is in, the answer goes out at once; when the
   * request's body was not read to its end (413, or an error before reading it),
   * the connection is closed after the answer instead of reading the rest.
   */
  private fail(req: IncomingMessage, res: ServerResponse, error: unknown): void {
    const known = error instanceof HttpError;
    const aborted = (error as { code?: unknown } | null)?.code === 'ECONNRESET';
    if (!known && !aborted) this.log(`internal error: ${error instanceof Error ? error.stack : String(error)}`);
    const socket = res.socket ?? req.socket;
    if (!socket || socket.destroyed || res.destroyed) return;
    if (res.headersSent) {
      socket.destroy();
      return;
    }
    // `Connection: close`: Node ends and closes the socket once the answer is out.
    if (!req.complete) res.shouldKeepAlive = false;
    if (known) return sendJson(res, error.status, error.body);
    sendJson(res, 500, { errorMessage: 'INTERNAL_ERROR', message: 'the emulator failed; see its log' });
  }

  /** A delay cancelled by {@link stop}. */
  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private log(line: string): void {
    try {
      this.options.log?.(line);
    } catch {
      // A failing log sink must not take the emulator down.
    }
  }
}

/**
 * Starts an emulator and resolves once it listens.
 * @example
 * const emulator = await startEmulator({ port: 0, gates: { gate_demo: 'secret_demo' } });
 * const { logupToken } = emulator.login({ idGate: 'gate_demo', email: 'ada@example.com' });
 * await emulator.stop();
 */
export function startEmulator(options: EmulatorOptions): Promise<LogupEmulator> {
  return new LogupEmulator(options).listen();
}
