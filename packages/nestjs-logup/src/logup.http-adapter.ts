import { request as httpRequest, type Agent, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { AxiosError, AxiosHeaders, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';

/**
 * The axios adapter the library's calls run on: one `node:http(s)` request on the
 * configured keep-alive agents, and nothing else. Compared with axios's default Node
 * adapter it has no redirect wrapper, no stream pipeline and no decompression (none
 * is asked for), which made up most of the library's cost; and it enforces what the
 * library promises:
 *
 * - `timeout` is a **wall-clock** deadline for the whole attempt, connect to last
 *   byte: a LogUp that trickles its answer is cut off and its socket destroyed;
 * - `maxContentLength` bounds the body, whatever `Content-Length` claims;
 * - redirects are never followed (the 3xx is returned as the answer);
 * - the body is returned as text (the client parses the JSON itself).
 *
 * Errors are `AxiosError`s with axios's codes (`ECONNABORTED`, `ERR_BAD_RESPONSE`,
 * or the socket's code) so interceptors see what they expect. Internal.
 */
export function logupHttpAdapter(
  config: InternalAxiosRequestConfig,
  /** Called directly by the client (no axios pipeline): the headers need no AxiosHeaders wrapper. */
  direct = false,
): Promise<AxiosResponse<string>> {
  return new Promise((resolve, reject) => {
    const url = config.url ?? '';
    const secure = url.startsWith('https:');
    const data = typeof config.data === 'string' ? config.data : undefined;
    const given = config.headers as unknown as { toJSON?: () => Record<string, string> } & Record<string, string>;
    const headers = typeof given.toJSON === 'function' ? given.toJSON() : { ...given };
    if (data !== undefined) headers['content-length'] = String(Buffer.byteLength(data));
    const maxBytes =
      config.maxContentLength !== undefined && config.maxContentLength > 0 ? config.maxContentLength : -1;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;

    const fail = (message: string, code: string | undefined, request: ClientRequest): void => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      request.destroy();
      reject(new AxiosError(message, code, config, request));
    };

    const request = (secure ? httpsRequest : httpRequest)(
      url,
      {
        method: (config.method ?? 'get').toUpperCase(),
        headers,
        agent: (secure ? config.httpsAgent : config.httpAgent) as Agent | undefined,
      },
      (response: IncomingMessage) => {
        const declared = Number(response.headers['content-length']);
        if (maxBytes >= 0 && declared > maxBytes) {
          fail(`maxContentLength size of ${maxBytes} exceeded`, AxiosError.ERR_BAD_RESPONSE, request);
          return;
        }
        const chunks: Buffer[] = [];
        let received = 0;
        response.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (maxBytes >= 0 && received > maxBytes) {
            fail(`maxContentLength size of ${maxBytes} exceeded`, AxiosError.ERR_BAD_RESPONSE, request);
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () => {
          if (settled) return;
          settled = true;
          if (timer) clearTimeout(timer);
          resolve({
            data: chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8'),
            status: response.statusCode ?? 0,
            statusText: response.statusMessage ?? '',
            headers: direct ? response.headers : new AxiosHeaders(response.headers as Record<string, string>),
            config,
            request,
          });
        });
        response.on('error', (error: NodeJS.ErrnoException) => fail(error.message, error.code, request));
        response.on('aborted', () => fail('the answer was cut off', 'ECONNRESET', request));
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) => fail(error.message, error.code, request));
    if (config.timeout !== undefined && config.timeout > 0) {
      const ms = config.timeout;
      timer = setTimeout(() => fail(`timeout of ${ms}ms exceeded`, AxiosError.ECONNABORTED, request), ms);
    }
    const signal = config.signal as AbortSignal | undefined;
    if (signal) {
      if (signal.aborted) fail('canceled', AxiosError.ERR_CANCELED, request);
      else signal.addEventListener('abort', () => fail('canceled', AxiosError.ERR_CANCELED, request), { once: true });
    }
    request.end(data);
  });
}
