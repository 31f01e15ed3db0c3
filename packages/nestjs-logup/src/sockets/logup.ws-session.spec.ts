import { createServer } from 'node:http';
import { useLogupSockets } from './logup.ws-session.js';

describe('useLogupSockets', () => {
  const expressApp = () => ({
    getHttpServer: () => createServer(),
    getHttpAdapter: () => ({ getType: () => 'express', getInstance: () => ({}) }),
  });

  it('refuses an Express app without the session middleware, saying what to pass', () => {
    expect(() => useLogupSockets(expressApp())).toThrow(
      expect.objectContaining({
        code: 'LOGUP_CONFIGURATION',
        message: expect.stringMatching(/useLogupSockets\(app, \{ sessionMiddleware \}\).*app\.use\(\)/),
      }),
    );
    expect(() => useLogupSockets(expressApp(), { sessionMiddleware: 'session' as never })).toThrow(/sessionMiddleware/);
  });

  it('accepts an Express app with its session middleware', () => {
    expect(() => useLogupSockets(expressApp(), { sessionMiddleware: (_req, _res, next) => next() })).not.toThrow();
  });
});
