import { inspect } from 'node:util';

/**
 * A frozen record of fields plus a secret that neither `util.inspect` (even with
 * `showHidden`), `JSON.stringify` nor `Object.keys` can reach: the secret sits in a
 * private field behind a prototype getter. Used for the module options and the
 * resolved configuration. Internal.
 */
export class SecretHolder {
  readonly #label: string;
  readonly #secret: unknown;

  constructor(label: string, secret: unknown, fields: object) {
    this.#label = label;
    this.#secret = secret;
    Object.assign(this, fields);
    Object.freeze(this);
  }

  get secret(): unknown {
    return this.#secret;
  }

  toJSON(): Record<string, unknown> {
    return { ...(this as object), secret: '[redacted]' };
  }

  [inspect.custom](): string {
    return `${this.#label} ${inspect(this.toJSON())}`;
  }
}
