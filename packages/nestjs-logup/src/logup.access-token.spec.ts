import { LogupAccessTokenCache } from './logup.access-token.js';

describe('LogupAccessTokenCache', () => {
  it('fetches once for concurrent callers and reuses the token', async () => {
    let fetches = 0;
    const cache = new LogupAccessTokenCache(async () => {
      fetches++;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return { value: `tok_${fetches}`, expiresInSeconds: 3600 };
    });
    const tokens = await Promise.all(Array.from({ length: 20 }, () => cache.get(Date.now() + 1000)));
    expect(new Set(tokens.map((t) => t.value))).toEqual(new Set(['tok_1']));
    expect((await cache.get(Date.now() + 1000)).value).toBe('tok_1');
    expect(fetches).toBe(1);
    expect(cache.grants).toBe(1);
  });

  it('renews 10 % (at most a minute) before expiry', async () => {
    const cache = new LogupAccessTokenCache(() => Promise.resolve({ value: 'tok', expiresInSeconds: 100 }));
    const token = await cache.get(Date.now() + 1000);
    expect(token.renewAt - Date.now()).toBeGreaterThan(85_000);
    expect(token.renewAt - Date.now()).toBeLessThanOrEqual(90_000);
  });

  it('drops only the token that was refused', async () => {
    let n = 0;
    const cache = new LogupAccessTokenCache(() => Promise.resolve({ value: `tok_${++n}`, expiresInSeconds: 3600 }));
    const first = await cache.get(0);
    cache.invalidate(first);
    const second = await cache.get(0);
    expect(second.value).toBe('tok_2');
    cache.invalidate(first); // a late 401 for the old token does not drop the new one
    expect((await cache.get(0)).value).toBe('tok_2');
  });

  it('shows no token in JSON', async () => {
    const cache = new LogupAccessTokenCache(() =>
      Promise.resolve({ value: 'tok_secret_value', expiresInSeconds: 3600 }),
    );
    await cache.get(0);
    expect(JSON.stringify(cache)).not.toContain('tok_secret_value');
  });
});
