export declare class CookieJar {
  /** How many cookies it holds. */
  get size(): number;
  /** One cookie's value, or undefined. */
  get(name: string): string | undefined;
  /** The cookies as a Cookie header (to send, or to replay them later). */
  header(): string;
  /** Replaces the cookies with those of a Cookie header (e.g. one captured earlier). */
  setHeader(header: string): this;
  /** Keeps what the Set-Cookie headers of an answer set, and forgets what they delete. */
  store(setCookies: readonly string[]): void;
  /** A jar holding a copy of these cookies. */
  copy(): CookieJar;
}
