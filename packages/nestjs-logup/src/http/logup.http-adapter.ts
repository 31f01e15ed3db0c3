import { request as httpRequest, type Agent, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { AxiosError, AxiosHeaders, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';

/** How far a failed attempt got: what decides whether it may have reached LogUp. */
export interface LogupAttemptTrace {
  /** No socket was ever assigned: the request is still in the agent's queue, nothing was sent. */
  queued: boolean;
  /** The socket came from the keep-alive pool (Node's `request.reusedSocket`). */
  reusedSocket: boolean;
  /** At least one byte of an answer arrived on the socket. */
  answered: boolean;
}

/** Where a failed attempt's {@link LogupAttemptTrace} is found on the `AxiosError`. */
export const LOGUP_ATTEMPT_TRACE = Symbol('nestjs-logup.attempt-trace');

/**
 * A request whose socket comes free with less than `timeout / MIN_ATTEMPT_SHARE` ms
 * left before `logupDeadline` is not sent at all (it fails as queued).
 */
const MIN_ATTEMPT_SHARE = 10;

/** The config fields the adapter reads beyond axios's own. */
type LogupAdapterConfig = InternalAxiosRequestConfig & { logupDeadline?: number };

/**
 * The axios adapter the library's calls run on: one `node:http(s)` request on the
 * configured keep-alive agents, and nothing else. Compared with axios's default Node
 * adapter it has no redirect wrapper, no stream pipeline and no decompression (none
 * is asked for), which made up most of the library's cost; and it enforces what the
 * library promises:
 *
 * - `timeout` is a **wall-clock** deadline for the whole attempt, connect to last
 *   byte: a LogUp that trickles its answer is cut off and its socket destroyed. With
 *   `logupDeadline` (epoch ms, the call's budget) the clock starts when the agent
 *   assigns a socket; waiting for one is bounded by `logupDeadline` alone, and a
 *   request that got no socket in time (or one with less than a tenth of `timeout`
 *   left) fails with `ETIMEDOUT` before a byte is written: provably not sent;
 * - `maxContentLength` bounds the body, whatever `Content-Length` claims;
 * - redirects are never followed (the 3xx is returned as the answer);
 * - the body is returned as text (the client parses the JSON itself).
 *
 * Errors are `AxiosError`s with axios's codes (`ECONNABORTED`, `ERR_BAD_RESPONSE`,
 * or the socket's code) so interceptors see what they expect, and carry
 * {@link LogupAttemptTrace} under {@link LOGUP_ATTEMPT_TRACE}. Internal.
 */
export function logupHttpAdapter(
  config: InternalAxiosRequestConfig,
  /** Called directly by the client (no axios pipeline): the headers need no AxiosHeaders wrapper. */
  direct = false,
): Promise<AxiosResponse<string>> {
  return new Promise((resolve, reject) => new AdapterAttempt(config, direct, resolve, reject).start());
}

/** One request of {@link logupHttpAdapter}, settled exactly once. */
class AdapterAttempt {
  readonly #config: LogupAdapterConfig;
  readonly #direct: boolean;
  readonly #resolve: (response: AxiosResponse<string>) => void;
  readonly #reject: (error: AxiosError) => void;
  #request!: ClientRequest;
  #settled = false;
  #timer?: NodeJS.Timeout;
  #socket?: Socket;
  #bytesBefore = 0;
  #assignedAt = 0;
  #answered = false;

  constructor(
    config: InternalAxiosRequestConfig,
    direct: boolean,
    resolve: (response: AxiosResponse<string>) => void,
    reject: (error: AxiosError) => void,
  ) {
    this.#config = config;
    this.#direct = direct;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  start(): void {
    const config = this.#config;
    const url = config.url ?? '';
    const secure = url.startsWith('https:');
    const data = typeof config.data === 'string' ? config.data : undefined;
    const given = config.headers as unknown as { toJSON?: () => Record<string, string> } & Record<string, string>;
    const headers = typeof given.toJSON === 'function' ? given.toJSON() : { ...given };
    if (data !== undefined) headers['content-length'] = String(Buffer.byteLength(data));
    const agent = (secure ? config.httpsAgent : config.httpAgent) as Agent | undefined;
    const method = (config.method ?? 'get').toUpperCase();
    const request = (secure ? httpsRequest : httpRequest)(url, { method, headers, agent }, (response) =>
      this.#read(response),
    );
    this.#request = request;
    request.on('error', (error: NodeJS.ErrnoException) => this.#fail(error.message, error.code));
    this.#armTimers();
    const signal = config.signal as AbortSignal | undefined;
    if (signal) {
      if (signal.aborted) this.#fail('canceled', AxiosError.ERR_CANCELED);
      else signal.addEventListener('abort', () => this.#fail('canceled', AxiosError.ERR_CANCELED), { once: true });
    }
    request.end(data);
  }

  /**
   * The attempt's clock; with `logupDeadline`, it starts when a socket is assigned.
   * One timer per attempt: it is re-armed only when it fires early (a socket that
   * came late), not on every call.
   */
  #armTimers(): void {
    const attemptMs = this.#attemptMs();
    const deadline = this.#config.logupDeadline;
    if (deadline !== undefined) {
      this.#timer = setTimeout(() => this.#onTimer(), Math.max(1, Math.min(attemptMs, deadline - Date.now())));
    } else if (attemptMs !== Infinity) {
      this.#timer = setTimeout(
        () => this.#fail(`timeout of ${attemptMs}ms exceeded`, AxiosError.ECONNABORTED),
        attemptMs,
      );
    }
    // The 'socket' event comes on a later tick, for a pooled socket as for a new one,
    // and before the request is written to it.
    this.#request.once('socket', (socket: Socket) => {
      if (this.#settled) return;
      const now = Date.now();
      if (deadline !== undefined && deadline - now < attemptMs / MIN_ATTEMPT_SHARE) {
        // Too late to be worth sending (a verification would spend its token for nothing).
        this.#fail(`a socket came free only ${deadline - now}ms before the deadline`, 'ETIMEDOUT');
        return;
      }
      this.#socket = socket;
      this.#bytesBefore = socket.bytesRead;
      this.#assignedAt = now;
    });
  }

  #attemptMs(): number {
    const timeout = this.#config.timeout;
    return timeout !== undefined && timeout > 0 ? timeout : Infinity;
  }

  /** With `logupDeadline`: fails the attempt if its time is up, else waits for the rest. */
  #onTimer(): void {
    const deadline = this.#config.logupDeadline!;
    const now = Date.now();
    if (this.#socket === undefined) {
      if (now >= deadline) return this.#fail(`no socket free before the deadline`, 'ETIMEDOUT');
      this.#timer = setTimeout(() => this.#onTimer(), deadline - now);
      return;
    }
    const endAt = Math.min(this.#assignedAt + this.#attemptMs(), deadline);
    if (now >= endAt) return this.#fail(`timeout of ${endAt - this.#assignedAt}ms exceeded`, AxiosError.ECONNABORTED);
    this.#timer = setTimeout(() => this.#onTimer(), endAt - now);
  }

  #read(response: IncomingMessage): void {
    this.#answered = true;
    const max = this.#config.maxContentLength;
    const maxBytes = max !== undefined && max > 0 ? max : -1;
    const tooLarge = () => this.#fail(`maxContentLength size of ${maxBytes} exceeded`, AxiosError.ERR_BAD_RESPONSE);
    if (maxBytes >= 0 && Number(response.headers['content-length']) > maxBytes) return tooLarge();
    const chunks: Buffer[] = [];
    let received = 0;
    response.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (maxBytes >= 0 && received > maxBytes) return tooLarge();
      chunks.push(chunk);
    });
    response.on('end', () => {
      if (this.#settled) return;
      this.#settled = true;
      clearTimeout(this.#timer);
      const headers = response.headers as Record<string, string>;
      this.#resolve({
        data: chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8'),
        status: response.statusCode ?? 0,
        statusText: response.statusMessage ?? '',
        headers: this.#direct ? headers : new AxiosHeaders(headers),
        config: this.#config,
        request: this.#request,
      });
    });
    response.on('error', (error: NodeJS.ErrnoException) => this.#fail(error.message, error.code));
    response.on('aborted', () => this.#fail('the answer was cut off', 'ECONNRESET'));
  }

  #fail(message: string, code: string | undefined): void {
    if (this.#settled) return;
    this.#settled = true;
    clearTimeout(this.#timer);
    const request = this.#request;
    request.destroy();
    const error = new AxiosError(message, code, this.#config, request);
    const socket = this.#socket;
    const trace: LogupAttemptTrace = {
      queued: socket === undefined,
      reusedSocket: request.reusedSocket === true,
      answered: this.#answered || (socket !== undefined && socket.bytesRead > this.#bytesBefore),
    };
    Object.defineProperty(error, LOGUP_ATTEMPT_TRACE, { value: trace });
    this.#reject(error);
  }
}
