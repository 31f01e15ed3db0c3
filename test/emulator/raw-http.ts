import { connect } from 'node:net';

/** An HTTP answer read off a raw socket. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends bytes exactly as given (request line, headers, body) on a fresh socket and
 * reads the answer until the server closes the connection. Nothing between the
 * test and the emulator normalises the request target, unlike fetch or http.request.
 */
export function rawRequest(port: number, requestLine: string, headers: string[] = [], body = ''): Promise<RawResponse> {
  const head = [requestLine, `Host: 127.0.0.1:${port}`, ...headers, 'Connection: close'];
  if (body) head.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(15_000, () => socket.destroy(new Error(`no answer to ${requestLine} within 15 s`)));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      try {
        resolve(parseResponse(Buffer.concat(chunks).toString('utf8')));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    socket.write(`${head.join('\r\n')}\r\n\r\n${body}`);
  });
}

function parseResponse(raw: string): RawResponse {
  const split = raw.indexOf('\r\n\r\n');
  if (split < 0) throw new Error(`not an HTTP response: ${JSON.stringify(raw.slice(0, 200))}`);
  const [statusLine, ...headerLines] = raw.slice(0, split).split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = raw.slice(split + 4);
  return { status, headers, body: headers['transfer-encoding'] === 'chunked' ? unchunk(rest) : rest };
}

function unchunk(text: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const lineEnd = text.indexOf('\r\n', at);
    const size = parseInt(text.slice(at, lineEnd), 16);
    if (!size) return out;
    out += text.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
  }
}

/**
 * A call shaped like the official Python SDK's (`logup` 1.0.1, on `requests`):
 * its headers, a JSON body, and the path exactly as it joins it.
 */
export function pythonSdkCall(
  port: number,
  method: string,
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<RawResponse & { json: unknown }> {
  const headers = [
    'User-Agent: python-requests/2.27.1',
    'Accept-Encoding: gzip, deflate',
    'Accept: */*',
    'Content-Type: application/json',
    ...(options.token ? [`Authorization: Bearer ${options.token}`] : []),
  ];
  const body = options.body === undefined ? '' : JSON.stringify(options.body);
  return rawRequest(port, `${method} ${path} HTTP/1.1`, headers, body).then((res) => ({
    ...res,
    json: res.body ? JSON.parse(res.body) : undefined,
  }));
}
