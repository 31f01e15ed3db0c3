import type { Attributes, Counter, Histogram, Span, Tracer } from '@opentelemetry/api';

type OtelApi = typeof import('@opentelemetry/api');

/** Span names by operation; attributes never carry a token, the secret or a DB value. */
const SPAN_NAMES: Readonly<Record<string, string>> = {
  verification: 'logup.verify',
  getDb: 'logup.db.read',
  updateDb: 'logup.db.update',
  deleteDbValues: 'logup.db.delete',
  'access token': 'logup.token',
};

let loading: Promise<OtelApi | undefined> | undefined;

/** `@opentelemetry/api` when the app has it (an optional peer), else undefined. Loaded once. */
function loadOpenTelemetry(): Promise<OtelApi | undefined> {
  loading ??= import('@opentelemetry/api').then(
    (module: unknown) => {
      const api = module as OtelApi & { default?: OtelApi };
      return api.trace ? api : api.default;
    },
    () => undefined,
  );
  return loading;
}

/** One call being measured: its span, and the attempts it made so far with the last HTTP status. */
export class LogupCallTrace {
  #attempts = 0;
  #status?: number;

  constructor(
    readonly operation: string,
    readonly started: number,
    readonly span?: Span,
  ) {}

  /** Counts an attempt; `status` is its HTTP status, undefined when no answer came. */
  attempt(status?: number): void {
    this.#attempts++;
    this.#status = status;
  }

  get attempts(): number {
    return this.#attempts;
  }

  /** The last attempt's HTTP status. */
  get status(): number | undefined {
    return this.#status;
  }
}

/**
 * Spans and metrics for every LogUp call, through `@opentelemetry/api` only: a no-op
 * without it, and whatever SDK the app registered with it. Spans are named
 * `logup.verify`, `logup.db.read`, `logup.db.update`, `logup.db.delete`, `logup.token`,
 * with `logup.operation`, `logup.attempts`, `logup.outcome` and
 * `http.response.status_code` (`logup.outcome`: `ok`, `rejected` for an error status,
 * `error` when no usable answer came). Metrics: counters `logup.calls`, `logup.retries`,
 * `logup.token.grants` and the histogram `logup.call.duration` (ms).
 */
export class LogupTelemetry {
  #tracer?: Tracer;
  #calls?: Counter;
  #retries?: Counter;
  #grants?: Counter;
  #duration?: Histogram;
  #api?: OtelApi;

  /** Binds to the OpenTelemetry API, if the app has it. */
  async init(): Promise<void> {
    const api = await loadOpenTelemetry();
    if (!api) return;
    this.#api = api;
    // Register the SDK before the app starts: the tracer follows a later registration,
    // OpenTelemetry's meters do not.
    this.#tracer = api.trace.getTracer('nestjs-logup');
    const meter = api.metrics.getMeter('nestjs-logup');
    this.#calls = meter.createCounter('logup.calls', { description: 'LogUp API calls, by operation and outcome' });
    this.#retries = meter.createCounter('logup.retries', {
      description: 'Attempts repeated after a transient failure',
    });
    this.#grants = meter.createCounter('logup.token.grants', { description: 'Access tokens obtained' });
    this.#duration = meter.createHistogram('logup.call.duration', {
      description: 'Duration of LogUp API calls, retries included',
      unit: 'ms',
    });
  }

  /** Starts measuring a call. */
  start(operation: string): LogupCallTrace {
    if (!this.#api) return new LogupCallTrace(operation, 0);
    const span = this.#tracer!.startSpan(SPAN_NAMES[operation] ?? `logup.${operation}`, {
      kind: this.#api.SpanKind.CLIENT,
      attributes: { 'logup.operation': operation },
    });
    return new LogupCallTrace(operation, performance.now(), span);
  }

  /** Ends a call, with the library error it threw, if any. */
  end(trace: LogupCallTrace, error?: { code?: string }): void {
    if (!trace.span || !this.#api) return;
    const result = { attempts: trace.attempts, status: trace.status, error };
    // ok: a 2xx; rejected: LogUp answered with an error status; error: no usable answer.
    const outcome = result.error
      ? 'error'
      : result.status !== undefined && (result.status < 200 || result.status > 299)
        ? 'rejected'
        : 'ok';
    const attributes: Attributes = { 'logup.operation': trace.operation, 'logup.outcome': outcome };
    if (result.status !== undefined) attributes['http.response.status_code'] = result.status;
    trace.span.setAttributes({ ...attributes, 'logup.attempts': result.attempts });
    if (result.error) {
      trace.span.setAttribute('logup.error.code', result.error.code ?? 'UNKNOWN');
      trace.span.setStatus({ code: this.#api.SpanStatusCode.ERROR, message: result.error.code });
    }
    trace.span.end();
    this.#calls?.add(1, attributes);
    this.#duration?.record(performance.now() - trace.started, attributes);
    if (trace.operation === 'access token' && !result.error) this.#grants?.add(1);
  }

  /** Counts an attempt repeated after a transient failure. */
  retry(operation: string): void {
    this.#retries?.add(1, { 'logup.operation': operation });
  }
}
