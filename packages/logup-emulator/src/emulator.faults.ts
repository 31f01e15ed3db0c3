import { validateHeaderName, validateHeaderValue, type IncomingMessage, type ServerResponse } from 'node:http';
import type { FaultEndpoint, FaultSpec } from './emulator.types.js';

/** An endpoint a request is made to (a fault may target a group of them). */
export type ApiEndpoint = Exclude<FaultEndpoint, 'any' | 'db'>;

const FAULT_KINDS = new Set<FaultSpec['kind']>(['latency', 'status', 'hang', 'drop', 'truncate', 'malformed', 'hold']);
const FAULT_ENDPOINTS = new Set<FaultEndpoint>([
  'any',
  'token',
  'verification',
  'db',
  'db-read',
  'db-update',
  'db-delete',
]);

/** Why a fault spec is refused, or undefined when it is valid. */
export function faultProblem(spec: FaultSpec): string | undefined {
  if (typeof spec !== 'object' || spec === null || !FAULT_KINDS.has(spec.kind)) {
    return `kind must be one of ${[...FAULT_KINDS].join(', ')}`;
  }
  if (!FAULT_ENDPOINTS.has(spec.endpoint ?? 'any')) {
    return `endpoint must be one of ${[...FAULT_ENDPOINTS].join(', ')}`;
  }
  const count = spec.count ?? 1;
  if (!Number.isInteger(count) || count < 1) return 'count must be a positive integer';
  if (spec.kind === 'status' && !(Number.isInteger(spec.status) && spec.status! >= 200 && spec.status! <= 599)) {
    return 'a status fault needs status between 200 and 599';
  }
  if (spec.headers !== undefined && !areHeaders(spec.headers)) {
    return 'headers must be an object of valid header name -> header value';
  }
  if (!isJson(spec.body)) return 'body must be a JSON value';
  if (spec.kind === 'latency' && !(typeof spec.latencyMs === 'number' && spec.latencyMs >= 0)) {
    return 'a latency fault needs latencyMs >= 0';
  }
  return undefined;
}

function areHeaders(value: unknown): value is Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  try {
    for (const [name, text] of Object.entries(value)) {
      if (typeof text !== 'string') return false;
      validateHeaderName(name);
      validateHeaderValue(name, text);
    }
    return true;
  } catch {
    return false;
  }
}

function isJson(value: unknown): boolean {
  try {
    JSON.stringify(value);
    return true;
  } catch {
    return false;
  }
}

/** Faults waiting for requests, first added first matched. */
export class FaultQueue {
  private faults: { spec: FaultSpec; endpoint: FaultEndpoint; left: number }[] = [];

  /** Adds a fault; returns why it is refused, or undefined. */
  add(spec: FaultSpec): string | undefined {
    const problem = faultProblem(spec);
    if (problem) return problem;
    this.faults.push({ spec: { ...spec }, endpoint: spec.endpoint ?? 'any', left: spec.count ?? 1 });
    return undefined;
  }

  clear(): void {
    this.faults = [];
  }

  /** Takes one use of the first fault that matches the endpoint. */
  take(endpoint: ApiEndpoint): FaultSpec | undefined {
    const index = this.faults.findIndex(
      (f) => f.endpoint === 'any' || f.endpoint === endpoint || (f.endpoint === 'db' && endpoint.startsWith('db-')),
    );
    if (index < 0) return undefined;
    const fault = this.faults[index];
    if (--fault.left === 0) this.faults.splice(index, 1);
    return fault.spec;
  }
}

/** Requests held by `hold` faults until the test releases them. */
export class HeldRequests {
  private readonly waiting = new Set<() => void>();

  /** Resolves when released. */
  hold(): Promise<void> {
    return new Promise((resolve) => this.waiting.add(resolve));
  }

  /** Lets every held request go on; returns how many there were. */
  release(): number {
    const count = this.waiting.size;
    for (const resolve of this.waiting) resolve();
    this.waiting.clear();
    return count;
  }

  get size(): number {
    return this.waiting.size;
  }
}

/**
 * Applies a fault to a request. Resolves true when the fault answered the request
 * (or made sure it never will be answered), false when it should go on normally.
 */
export async function applyFault(
  fault: FaultSpec,
  req: IncomingMessage,
  res: ServerResponse,
  sleep: (ms: number) => Promise<void>,
  held: HeldRequests,
): Promise<boolean> {
  switch (fault.kind) {
    case 'hold':
      await held.hold();
      return false;
    case 'latency':
      await sleep(fault.latencyMs!);
      return false;
    case 'status': {
      const text = JSON.stringify(fault.body ?? { errorMessage: 'EMULATED_FAULT' });
      res.writeHead(fault.status!, { 'content-type': 'application/json; charset=utf-8', ...fault.headers });
      res.end(text);
      return true;
    }
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
