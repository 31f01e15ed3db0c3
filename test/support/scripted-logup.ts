import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A LogUp written for one test: the token endpoint answers at once, every other path as `answer` says. */
export interface ScriptedLogup {
  url: string;
  /** Requests received, by path (query included), the token endpoint excluded. */
  hits: string[];
  /** Answers still open (a trickle, a hang). */
  open(): number;
  close(): Promise<void>;
}

/** Serves `/oauth/token` (201, one hour) and hands every other request to `answer`. */
export function scriptedLogup(answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<ScriptedLogup> {
  const open = new Set<ServerResponse>();
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url?.endsWith('/oauth/token')) {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ access_token: 'tok_scripted', token_type: 'Bearer', expires_in: 3600 }));
        return;
      }
      hits.push(req.url ?? '');
      open.add(res);
      res.on('close', () => open.delete(res));
      answer(req, res);
    });
  });
  return listen(server, (url) => ({
    url,
    hits,
    open: () => open.size,
    close: () => {
      for (const res of open) res.destroy();
      return closeServer(server);
    },
  }));
}

/** A forward HTTP proxy on loopback (absolute-URI requests), counting what it relays. */
export function forwardProxy(): Promise<{ url: string; relayed: () => number; close: () => Promise<void> }> {
  let relayed = 0;
  const server: Server = createServer((req, res) => {
    relayed++;
    const upstream = request(req.url ?? '', { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      res.on('close', () => answer.destroy());
    });
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  return listen(server, (url) => ({ url, relayed: () => relayed, close: () => closeServer(server) }));
}

function listen<T>(server: Server, make: (url: string) => T): Promise<T> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(make(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))),
  );
}

function closeServer(server: Server): Promise<void> {
  return new Promise((done) => {
    server.closeAllConnections();
    server.close(() => done());
  });
}
