import type { ExecutionContext } from '@nestjs/common';
import { LogupError } from '../errors/logup.errors.js';
import { LOGUP_MESSAGES } from '../errors/logup.messages.js';

/** The request and response of a context: HTTP, or GraphQL (`{ req, res }` context, Apollo's default). */
export function httpPairOf(context: ExecutionContext): { request: Record<string, unknown>; response: unknown } {
  const type = context.getType<string>();
  if (type === 'http') {
    const http = context.switchToHttp();
    return { request: http.getRequest(), response: http.getResponse() };
  }
  if (type === 'graphql') {
    const gql = context.getArgByIndex<{ req?: Record<string, unknown>; res?: unknown } | undefined>(2);
    if (gql?.req) return { request: gql.req, response: gql.res ?? gql.req.res };
  }
  throw new LogupError('LOGUP_UNSUPPORTED_CONTEXT', LOGUP_MESSAGES.unsupportedContext(type));
}

/** A request's path without its query (Express `originalUrl`, Fastify `url`). */
export function pathOf(request: Record<string, unknown>): string {
  const raw = request.originalUrl ?? request.url;
  const url = typeof raw === 'string' ? raw : '';
  const end = url.indexOf('?');
  return end === -1 ? url : url.slice(0, end);
}

/**
 * The path pattern of the route the framework's router matched (Express `route.path`,
 * Fastify `routeOptions.url`), or undefined when the request carries none (GraphQL,
 * other transports).
 */
export function routePathOf(request: Record<string, unknown>): string | undefined {
  const express = (request.route as { path?: unknown } | undefined)?.path;
  if (typeof express === 'string') return express;
  const fastify = (request.routeOptions as { url?: unknown } | undefined)?.url;
  return typeof fastify === 'string' ? fastify : undefined;
}
