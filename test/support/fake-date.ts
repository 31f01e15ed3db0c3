import { jest } from '@jest/globals';

/**
 * Runs `body` on a controllable clock in this process: only `Date` is faked, so
 * sockets, timers and the emulator's I/O run for real; `advance(ms)` moves the clock.
 * (A sample app in its own process has test/support/controlled-clock.mjs instead.)
 */
export async function onControlledClock(body: (advance: (ms: number) => void) => Promise<void>): Promise<void> {
  jest.useFakeTimers({
    doNotFake: [
      'nextTick',
      'setImmediate',
      'clearImmediate',
      'setTimeout',
      'clearTimeout',
      'setInterval',
      'clearInterval',
      'queueMicrotask',
      'hrtime',
      'performance',
    ],
  });
  try {
    await body((ms) => jest.setSystemTime(Date.now() + ms));
  } finally {
    jest.useRealTimers();
  }
}
