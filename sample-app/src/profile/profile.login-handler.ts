import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { LogupLoginHandler, LogupSubscription, LogupVerifiedSubscription } from 'nestjs-logup';
import { ProfileStore, type Profile } from './profile.store.js';

/** The longest display name, in characters. */
export const DISPLAY_NAME_MAX = 40;

/**
 * A display name as typed (trimmed, NFC), or undefined when it is not one: 1 to
 * {@link DISPLAY_NAME_MAX} characters, no control characters.
 */
export function displayNameOf(text: unknown): string | undefined {
  if (typeof text !== 'string') return undefined;
  const name = text.normalize('NFC').trim();
  const length = [...name].length;
  return length >= 1 && length <= DISPLAY_NAME_MAX && !/\p{Cc}/u.test(name) ? name : undefined;
}

/** "Visitor 1234": the same four digits for a subscription every time. */
export function defaultDisplayName(idSubscription: string): string {
  const digits = createHash('sha256').update(idSubscription).digest().readUInt32BE(0) % 10_000;
  return `Visitor ${String(digits).padStart(4, '0')}`;
}

/**
 * Links a LogUp visitor to the app's own profile (the `LogupLoginHandler` the guard
 * calls). At the callback: the first login creates the profile, named from the `name`
 * in the visitor's LogUp DB or "Visitor 1234"; later ones count the login. On every
 * later guarded request: the profile, read from the database. Whatever it returns is
 * what `@LogupUser()` gives a controller. If saving fails, it throws: the guard then
 * logs nobody in and answers 500 "Logging in failed".
 */
@Injectable()
export class ProfileLoginHandler implements LogupLoginHandler<Profile | undefined> {
  constructor(private readonly profiles: ProfileStore) {}

  /**
   * `isNewUser` is what the visitor told LogUp, not what this site knows: a visitor
   * new to LogUp's gate may have a profile here already (and one who is not, none),
   * so the profile table decides between creating and loading.
   */
  onLogin({ subscription }: { subscription: LogupVerifiedSubscription }): Promise<Profile> {
    const name = displayNameOf(subscription.db?.name) ?? defaultDisplayName(subscription.idSubscription);
    return this.profiles.recordLogin(subscription.idSubscription, name);
  }

  onRequest(subscription: LogupSubscription): Promise<Profile | undefined> {
    return this.profiles.find(subscription.idSubscription);
  }
}
