/** The value of cookie `name` in a Cookie header (`a=1; b=2`), if it is there. */
export declare function cookieValue(header: string, name: string): string | undefined;

/** A browser's cookie store for one site, as the end-to-end tests need it: no paths, no expiry times. */
export declare class CookieJar {
  get size(): number;
  get(name: string): string | undefined;
  header(): string;
  setHeader(header: string): this;
  store(setCookies: readonly string[]): void;
  take(answer: { headers: Headers }): string[];
  copy(): CookieJar;
  fetcher(base: string): (path: string, init?: RequestInit) => Promise<Response>;
}
