import type { IncomingMessage, ServerResponse } from 'node:http';

/** Request bodies above this answer 413. */
export const MAX_BODY_BYTES = 256 * 1024;

/** An answer decided while handling a request: a status and a JSON body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: { errorMessage: string; message?: string; [more: string]: unknown },
  ) {
    super(body.message ?? body.errorMessage);
    this.name = 'HttpError';
  }
}

/** A request target taken apart: path segments (decoded, empty ones dropped) and query. */
export interface RequestTarget {
  /** The path as sent (still percent-encoded), repeated slashes collapsed: safe to log. */
  path: string;
  segments: string[];
  query: URLSearchParams;
}

/** One exchange the emulator answers: the request, its method and parsed target, and the response. */
export interface EmulatorExchange {
  req: IncomingMessage;
  res: ServerResponse;
  /** `req.method`, `GET` when absent. */
  method: string;
  target: RequestTarget;
}

/** `pchar` of RFC 3986 (unreserved, sub-delims, `:`, `@`, percent-escapes) and `/`. */
const PATH = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*$/;

const badTarget = (message: string) => new HttpError(400, { errorMessage: 'INVALID_REQUEST_TARGET', message });

/**
 * Parses `req.url` without ever treating it as anything but a path: `//host/...`
 * is a path with an empty first segment (the official Python client sends
 * `//subscription/...`), not a URL with a host. Throws a 400 {@link HttpError}
 * for targets that are not a valid path, or whose escapes are not UTF-8.
 */
export function parseTarget(rawUrl: string | undefined): RequestTarget {
  let raw = rawUrl ?? '';
  if (/^https?:\/\//i.test(raw)) raw = absoluteFormPath(raw);
  if (!raw.startsWith('/')) throw badTarget('the request target must be a path starting with /');
  const queryAt = raw.indexOf('?');
  const rawPath = queryAt < 0 ? raw : raw.slice(0, queryAt);
  if (!PATH.test(rawPath))
    throw badTarget('the path holds a character that must be percent-encoded, or a broken %-escape');
  const rawSegments = rawPath.split('/').filter((s) => s !== '');
  let segments: string[];
  try {
    segments = rawSegments.map((s) => decodeURIComponent(s));
  } catch {
    throw badTarget('the path holds a percent-escape that is not UTF-8');
  }
  const query = new URLSearchParams(queryAt < 0 ? '' : raw.slice(queryAt + 1));
  return { path: `/${rawSegments.join('/')}`, segments, query };
}

/** The path and query of an absolute-form target (`GET http://host/path HTTP/1.1`). */
function absoluteFormPath(raw: string): string {
  try {
    const url = new URL(raw);
    return `${url.pathname}${url.search}`;
  } catch {
    throw badTarget('the request target is not a valid URL');
  }
}

/** Throws 405 unless the method is one of `methods`. */
export function allow(method: string, methods: string[]): void {
  if (!methods.includes(method)) {
    throw new HttpError(405, { errorMessage: 'METHOD_NOT_ALLOWED', message: `use ${methods.join(' or ')}` });
  }
}

/** Throws 415 unless the request says its body is JSON. */
export function requireJson(req: IncomingMessage): void {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') {
    throw new HttpError(415, {
      errorMessage: 'UNSUPPORTED_MEDIA_TYPE',
      message: 'send the body as Content-Type: application/json',
    });
  }
}

const tooLarge = () =>
  new HttpError(413, { errorMessage: 'BODY_TOO_LARGE', message: `at most ${MAX_BODY_BYTES} bytes` });

/**
 * The body as text; 413 above {@link MAX_BODY_BYTES}, at once when `Content-Length`
 * says so, else as soon as that many bytes arrived (the rest is not read: the
 * server answers and closes the connection). A request whose client goes away
 * rejects with an `ECONNRESET` error.
 */
export function readText(req: IncomingMessage): Promise<string> {
  if (Number(req.headers['content-length']) > MAX_BODY_BYTES) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (error?: Error) => {
      req.off('data', onData).off('end', onEnd).off('error', onGone).off('close', onGone);
      if (error) {
        req.pause();
        reject(error);
      } else resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) settle(tooLarge());
      else chunks.push(chunk);
    };
    const onEnd = () => settle();
    const onGone = () => settle(Object.assign(new Error('the client went away'), { code: 'ECONNRESET' }));
    req.on('data', onData).on('end', onEnd).on('error', onGone).on('close', onGone);
  });
}

/** The body parsed as JSON (undefined when empty); 400 when it is not JSON. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await readText(req);
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, { errorMessage: 'INVALID_JSON', message: 'the body is not valid JSON' });
  }
}

/** Answers JSON (with `WWW-Authenticate: Bearer` on a 401). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...(status === 401 ? { 'www-authenticate': 'Bearer' } : {}),
  });
  res.end(text);
}

/** Answers 204 No Content. */
export function sendNoContent(res: ServerResponse): void {
  res.writeHead(204).end();
}

/** Answers an HTML page that may load nothing and be framed by no one. */
export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http: https:",
    'x-frame-options': 'DENY',
  });
  res.end(html);
}
