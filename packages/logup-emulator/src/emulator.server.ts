import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { applyUpdate, dbToObject } from './db-limits.js';
import { EmulatorState } from './emulator.state.js';
import type { Db, EmulatorLogin, EmulatorOptions, EmulatorStats, FaultEndpoint, FaultSpec } from './emulator.types.js';
import { isRedirectAllowed, loginError, loginForm } from './login-page.js';

const VERSION_PATTERN = /^v\d{1,2}_\d{1,3}$/;
const MAX_BODY_BYTES = 256 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.errorMessage));
  }
}

/** `v1_0` (and anything older) addresses the DB by actor; `v1_1` and later by subscription. */
export function dbAddressing(version: string): 'actor' | 'subscription' {
  const [major, minor] = version.slice(1).split('_').map(Number);
  return major < 1 || (major === 1 && minor === 0) ? 'actor' : 'subscription';
}

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
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 65_000;
    this.server.on('connection', (socket) => {
      this.state.stats.connections++;
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

  get port(): number {
    if (!this.address) throw new Error('logup-emulator: not listening yet');
    return this.address.port;
  }

  /** Logs a visitor in without a browser (same as `POST /__emulator/login`). */
  login(input: { idGate: string; email: string; isNewUser?: boolean; db?: Db }): EmulatorLogin {
    const result = this.state.login(input.idGate, input.email, input.isNewUser, input.db);
    if ('errorMessage' in result) throw new Error(`logup-emulator: ${result.message}`);
    return result;
  }

  stats(): EmulatorStats {
    return { ...this.state.stats };
  }

  resetStats(): void {
    this.state.resetStats();
  }

  /** Injects a fault for the next matching API requests (same as `POST /__emulator/faults`). */
  fault(spec: FaultSpec): void {
    const problem = this.state.addFault(spec);
    if (problem) throw new Error(`logup-emulator: ${problem}`);
  }

  clearFaults(): void {
    this.state.clearFaults();
  }

  /** Revokes access tokens so the next API call answers 401. */
  revokeAccessTokens(idGate?: string): number {
    return this.state.revokeAccessTokens(idGate);
  }

  /** A subscription's DB as stored, without counting a read. */
  db(idSubscription: string): Db | undefined {
    const s = this.state.subscriptionById(idSubscription);
    return s && dbToObject(s.db);
  }

  /** Stops listening and closes every connection, hung ones included. */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    if (this.server.listening) await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    this.state.stats.requests++;
    const url = new URL(req.url ?? '/', 'http://emulator.local');
    // The official Python client joins paths as base + "/" + "/subscription/...": accept `//`.
    const path = url.pathname.replace(/\/{2,}/g, '/').replace(/(.)\/$/, '$1');
    res.on('finish', () => {
      if (res.statusCode >= 400 && res.statusCode < 500 && !path.startsWith('/__emulator') && path !== '/login') {
        this.state.stats.rejected++;
      }
      this.options.log?.(`${req.method} ${path} ${res.statusCode} ${Date.now() - started}ms`);
    });
    try {
      if (path.startsWith('/__emulator/')) return await this.control(req, res, path);
      if (path === '/login') return await this.loginPage(req, res, url);
      if (path === '/') return sendJson(res, 200, { name: 'logup-emulator', versions: [...this.state.versions] });
      await this.api(req, res, path);
    } catch (error) {
      if (error instanceof HttpError) return sendJson(res, error.status, error.body);
      sendJson(res, 500, { errorMessage: 'INTERNAL_ERROR' });
      this.options.log?.(`internal error: ${(error as Error).message}`);
    }
  }

  private async api(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    this.state.stats.apiRequests++;
    const [version, ...rest] = path.slice(1).split('/');
    if (!VERSION_PATTERN.test(version) || !this.state.versions.has(version)) {
      throw new HttpError(404, { errorMessage: 'UNKNOWN_API_VERSION', message: `no API version "${version}"` });
    }
    const route = rest.join('/');
    const method = req.method ?? 'GET';
    if (route === 'oauth/token') {
      allow(method, ['POST']);
      if (await this.applyFault(req, res, 'token')) return;
      return this.token(res, await readJson(req));
    }
    if (route === 'verification') {
      allow(method, ['POST']);
      if (await this.applyFault(req, res, 'verification')) return;
      const idGate = this.authorize(req);
      return this.verification(res, idGate, await readJson(req));
    }
    const addressing = dbAddressing(version);
    if (rest.length === 3 && rest[0] === addressing && rest[2] === 'db') {
      allow(method, ['GET', 'PUT', 'DELETE']);
      const endpoint = method === 'GET' ? 'db-read' : method === 'PUT' ? 'db-update' : 'db-delete';
      if (await this.applyFault(req, res, endpoint)) return;
      const idGate = this.authorize(req);
      const id = decodeURIComponent(rest[1]);
      const subscription = this.state.findSubscription(idGate, addressing, id);
      if (!subscription) {
        throw new HttpError(404, {
          errorMessage: `${addressing.toUpperCase()}_NOT_FOUND`,
          message: `no ${addressing} "${id}"`,
        });
      }
      if (method === 'GET') {
        this.state.stats.dbReads++;
        const keys = new URL(req.url ?? '/', 'http://x').searchParams.get('keys');
        return sendJson(res, 200, dbToObject(subscription.db, keys ? keys.split(',') : undefined));
      }
      const body = await readJson(req);
      if (method === 'PUT') {
        const next = applyUpdate(subscription.db, body);
        if (!(next instanceof Map)) throw new HttpError(400, { ...next });
        subscription.db = next;
        this.state.stats.dbUpdates++;
        this.state.persist();
        return sendJson(res, 200, dbToObject(subscription.db));
      }
      const keys = (body as { keys?: unknown } | null)?.keys;
      if (!Array.isArray(keys) || keys.length === 0 || !keys.every((k) => typeof k === 'string')) {
        throw new HttpError(400, { errorMessage: 'INVALID_REQUEST', message: 'body must be { "keys": ["key", ...] }' });
      }
      for (const key of keys) subscription.db.delete(key);
      this.state.stats.dbDeletes++;
      this.state.persist();
      res.writeHead(204).end();
      return;
    }
    throw new HttpError(404, { errorMessage: 'NOT_FOUND', message: `no endpoint ${method} ${path}` });
  }

  private token(res: ServerResponse, body: unknown): void {
    const { client_id, client_secret, grant_type } = (body ?? {}) as Record<string, unknown>;
    if (typeof client_id !== 'string' || typeof client_secret !== 'string') {
      throw new HttpError(400, {
        errorMessage: 'INVALID_REQUEST',
        message: 'client_id and client_secret are required',
      });
    }
    if (grant_type !== 'client_credentials') {
      throw new HttpError(400, {
        errorMessage: 'UNSUPPORTED_GRANT_TYPE',
        message: 'grant_type must be client_credentials',
      });
    }
    const accessToken = this.state.grant(client_id, client_secret);
    if (!accessToken)
      throw new HttpError(401, { errorMessage: 'INVALID_CLIENT', message: 'unknown gate or wrong secret' });
    sendJson(res, 201, {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: this.state.accessTokenTtlSeconds,
    });
  }

  private verification(res: ServerResponse, idGate: string, body: unknown): void {
    const logupToken = (body as { logupToken?: unknown } | null)?.logupToken;
    if (typeof logupToken !== 'string') {
      throw new HttpError(400, { errorMessage: 'INVALID_REQUEST', message: 'body must be { "logupToken": "..." }' });
    }
    this.state.stats.verifications++;
    const subscription = this.state.consumeLogupToken(idGate, logupToken);
    if (!subscription) return sendJson(res, 200, { verified: false, errorMessage: 'INVALID_LOGUP_TOKEN' });
    sendJson(res, 200, {
      verified: true,
      idActor: subscription.idActor,
      idSubscription: subscription.idSubscription,
      db: dbToObject(subscription.db),
    });
  }

  private authorize(req: IncomingMessage): string {
    const header = req.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    const result = this.state.authenticate(match?.[1]);
    if ('errorMessage' in result) {
      throw new HttpError(401, { errorMessage: result.errorMessage, message: 'a valid access token is required' });
    }
    return result.idGate;
  }

  /** Applies the next matching fault; true when the request is answered (or never will be). */
  private async applyFault(
    req: IncomingMessage,
    res: ServerResponse,
    endpoint: Exclude<FaultEndpoint, 'any' | 'db'>,
  ): Promise<boolean> {
    const fault = this.state.takeFault(endpoint);
    if (!fault) return false;
    switch (fault.kind) {
      case 'latency':
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            this.timers.delete(timer);
            resolve();
          }, fault.latencyMs);
          this.timers.add(timer);
        });
        return false;
      case 'status':
        res.writeHead(fault.status!, { 'content-type': 'application/json', ...fault.headers });
        res.end(JSON.stringify(fault.body ?? { errorMessage: 'EMULATED_FAULT' }));
        return true;
      case 'hang':
        req.resume();
        return true;
      case 'drop':
        req.socket.destroy();
        return true;
      case 'truncate':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '64' });
        res.write('{"verified":true,"idActor":"acr_');
        setImmediate(() => req.socket.destroy());
        return true;
      case 'malformed':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"verified": tru');
        return true;
    }
  }

  private async control(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const method = req.method ?? 'GET';
    switch (`${method} ${path}`) {
      case 'POST /__emulator/login': {
        const body = ((await readJson(req)) ?? {}) as Record<string, unknown>;
        const { idGate, email, isNewUser, db } = body;
        if (typeof idGate !== 'string' || typeof email !== 'string') {
          throw new HttpError(400, {
            errorMessage: 'INVALID_REQUEST',
            message: 'idGate and email are required strings',
          });
        }
        if (isNewUser !== undefined && typeof isNewUser !== 'boolean') {
          throw new HttpError(400, { errorMessage: 'INVALID_REQUEST', message: 'isNewUser must be a boolean' });
        }
        const result = this.state.login(idGate, email, isNewUser, db);
        if ('errorMessage' in result) throw new HttpError(400, { ...result });
        return sendJson(res, 201, result);
      }
      case 'POST /__emulator/logins': {
        // Many single-use tokens for one visitor, for load tests.
        const body = ((await readJson(req)) ?? {}) as Record<string, unknown>;
        const { idGate, email, count } = body;
        if (typeof idGate !== 'string' || typeof email !== 'string') {
          throw new HttpError(400, {
            errorMessage: 'INVALID_REQUEST',
            message: 'idGate and email are required strings',
          });
        }
        if (!Number.isInteger(count) || (count as number) < 1 || (count as number) > 10_000) {
          throw new HttpError(400, {
            errorMessage: 'INVALID_REQUEST',
            message: 'count must be an integer from 1 to 10000',
          });
        }
        const logins: EmulatorLogin[] = [];
        for (let i = 0; i < (count as number); i++) {
          const result = this.state.login(idGate, email, true, undefined, false);
          if ('errorMessage' in result) throw new HttpError(400, { ...result });
          logins.push(result);
        }
        this.state.persist();
        return sendJson(res, 201, {
          idSubscription: logins[0].idSubscription,
          idActor: logins[0].idActor,
          logupTokens: logins.map((l) => l.logupToken),
        });
      }
      case 'GET /__emulator/stats':
        return sendJson(res, 200, this.stats());
      case 'DELETE /__emulator/stats':
        this.resetStats();
        res.writeHead(204).end();
        return;
      case 'POST /__emulator/faults': {
        const body = await readJson(req);
        const specs = (Array.isArray(body) ? body : [body]) as FaultSpec[];
        for (const spec of specs) {
          const problem = this.state.addFault(spec);
          if (problem) throw new HttpError(400, { errorMessage: 'INVALID_FAULT', message: problem });
        }
        return sendJson(res, 201, { added: specs.length });
      }
      case 'DELETE /__emulator/faults':
        this.clearFaults();
        res.writeHead(204).end();
        return;
      case 'POST /__emulator/revoke-tokens': {
        const idGate = ((await readJson(req)) as { idGate?: unknown } | null)?.idGate;
        return sendJson(res, 200, {
          revoked: this.revokeAccessTokens(typeof idGate === 'string' ? idGate : undefined),
        });
      }
    }
    const dbMatch = /^\/__emulator\/db\/([^/]+)$/.exec(path);
    if (dbMatch && method === 'GET') {
      const db = this.db(decodeURIComponent(dbMatch[1]));
      if (!db) throw new HttpError(404, { errorMessage: 'SUBSCRIPTION_NOT_FOUND' });
      return sendJson(res, 200, db);
    }
    throw new HttpError(404, { errorMessage: 'NOT_FOUND', message: `no control endpoint ${method} ${path}` });
  }

  private async loginPage(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const params = method === 'POST' ? new URLSearchParams(await readText(req)) : url.searchParams;
    const idGate = params.get('gate') ?? '';
    const redirect = params.get('redirect') ?? '';
    const gate = this.state.gates.get(idGate);
    if (!gate) return sendHtml(res, 400, loginError(`Unknown gate "${idGate}".`));
    if (!isRedirectAllowed(gate, redirect)) {
      return sendHtml(res, 400, loginError('This gate does not allow redirecting to that address.'));
    }
    if (method === 'GET') return sendHtml(res, 200, loginForm(idGate, redirect));
    if (method !== 'POST') throw new HttpError(405, { errorMessage: 'METHOD_NOT_ALLOWED' });
    const result = this.state.login(idGate, params.get('email') ?? '', params.get('isNewUser') === 'true');
    if ('errorMessage' in result) return sendHtml(res, 400, loginForm(idGate, redirect, result.message));
    const target = new URL(redirect);
    target.searchParams.set('logupToken', result.logupToken);
    target.searchParams.set('isNewUser', String(result.isNewUser));
    res.writeHead(303, { location: target.toString(), 'cache-control': 'no-store' }).end();
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

function allow(method: string, methods: string[]): void {
  if (!methods.includes(method)) {
    throw new HttpError(405, { errorMessage: 'METHOD_NOT_ALLOWED', message: `use ${methods.join(' or ')}` });
  }
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      throw new HttpError(413, { errorMessage: 'BODY_TOO_LARGE', message: `at most ${MAX_BODY_BYTES} bytes` });
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await readText(req);
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, { errorMessage: 'INVALID_JSON', message: 'the body is not valid JSON' });
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...(status === 401 ? { 'www-authenticate': 'Bearer' } : {}),
  });
  res.end(text);
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http: https:",
    'x-frame-options': 'DENY',
  });
  res.end(html);
}
