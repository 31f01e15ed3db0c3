import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import type { SocketKind } from './sockets-app.js';

/** What a test sees of one socket: answers by event, `exception`s, and how it closed. */
export interface TestSocket {
  /** Resolves once the server accepted the connection (socket.io `connect`, `ws` `open`). */
  opened: Promise<void>;
  /** Resolves when the socket closed: socket.io's disconnect reason, or the `ws` close code. */
  closed: Promise<string>;
  /** Every `exception` the server sent, in order. */
  exceptions: { status: string; message: string }[];
  /** Sends `event` with `data`; resolves to the answer of that event, or `{ exception }` on an `exception`. */
  send(event: string, data?: unknown): Promise<unknown>;
  close(): void;
}

/** What both clients share: the `exception`s so far, and answers awaited by event. */
interface Inbox {
  exceptions: TestSocket['exceptions'];
  /** Takes each event the server sent. */
  deliver(event: string, data: unknown): void;
  /** Resolves to the next answer of `event`, or `{ exception }` on an `exception`. */
  answer(event: string): Promise<unknown>;
}

function inbox(): Inbox {
  const exceptions: TestSocket['exceptions'] = [];
  const waiters: ((event: string, data: unknown) => void)[] = [];
  const deliver = (event: string, data: unknown) => {
    if (event === 'exception') exceptions.push(data as TestSocket['exceptions'][number]);
    for (const waiter of waiters.splice(0)) waiter(event, data);
  };
  const answer = (event: string) =>
    new Promise<unknown>((resolve) => {
      const wait = (got: string, data: unknown) => {
        if (got === event) resolve(data);
        else if (got === 'exception') resolve({ exception: data });
        else waiters.push(wait);
      };
      waiters.push(wait);
    });
  return { exceptions, deliver, answer };
}

function socketIoClient(url: string, headers: Record<string, string> | undefined, box: Inbox): TestSocket {
  const socket: Socket = io(url, {
    transports: ['websocket'],
    extraHeaders: headers,
    reconnection: false,
    forceNew: true,
  });
  socket.onAny((event: string, data: unknown) => box.deliver(event, data));
  return {
    opened: new Promise((resolve) => socket.once('connect', () => resolve())),
    closed: new Promise((resolve) => socket.once('disconnect', (reason) => resolve(reason))),
    exceptions: box.exceptions,
    send(event, data) {
      const pending = box.answer(event);
      socket.emit(event, data ?? {});
      return pending;
    },
    close: () => socket.close(),
  };
}

function wsClient(url: string, headers: Record<string, string> | undefined, box: Inbox): TestSocket {
  const socket = new WebSocket(url, { headers });
  socket.on('message', (raw: Buffer) => {
    const { event, data } = JSON.parse(raw.toString('utf8')) as { event: string; data: unknown };
    box.deliver(event, data);
  });
  return {
    opened: new Promise((resolve) => socket.once('open', () => resolve())),
    closed: new Promise((resolve) => socket.once('close', (code) => resolve(String(code)))),
    exceptions: box.exceptions,
    send(event, data) {
      const pending = box.answer(event);
      socket.send(JSON.stringify({ event, data: data ?? {} }));
      return pending;
    },
    close: () => socket.close(),
  };
}

/**
 * A real client (socket.io-client or ws) on the gateway `name`, sending `cookie` in
 * the handshake (and `query` in its URL).
 */
export function connect(kind: SocketKind, base: string, name: string, cookie: string, query = ''): TestSocket {
  const headers = cookie ? { cookie } : undefined;
  return kind === 'socket.io'
    ? socketIoClient(`${base}/${name}${query}`, headers, inbox())
    : wsClient(`${base.replace(/^http/, 'ws')}/${name}${query}`, headers, inbox());
}
