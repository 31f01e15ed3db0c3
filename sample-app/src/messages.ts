import { HttpException, NotFoundException, PayloadTooLargeException, UnauthorizedException } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { VisitorWriteLimitException } from './infra/write-rate-limit.js';
import {
  LOGUP_DB_LIMITS,
  LogupApiError,
  LogupTokenNotAcceptedException,
  type LogupValidationError,
  type LogupValidationIssue,
} from 'nestjs-logup';

/**
 * What a visitor reads. The library's messages are written for developers and logs
 * (`key "k…" is 33 characters; at most 32`); the sample app keeps them unchanged in
 * its JSON answers and logs, and says the same thing to people in its pages.
 */

/** `is 33 characters; at most 32` -> 33, or undefined. */
function countIn(message: string): number | undefined {
  const match = /^is (\d+) characters/.exec(message);
  return match ? Number(match[1]) : undefined;
}

/** One problem of a DB update or delete, as a sentence for the person filling in the form. */
export function friendlyIssue(issue: LogupValidationIssue): string {
  const { path, message } = issue;
  const count = countIn(message);
  if (path.startsWith('key ') || /^keys\[\d+\]$/.test(path)) {
    if (count !== undefined) {
      return `The key can be at most ${LOGUP_DB_LIMITS.maxKeyLength} characters; this one has ${count}.`;
    }
    if (message === 'must not be empty') return 'Enter a key.';
    if (message.startsWith('is reserved')) return 'That key name is reserved: choose another one.';
    return 'That key cannot be used: choose another one.';
  }
  if (path.startsWith('value of ')) {
    if (count !== undefined) {
      return `The value can be at most ${LOGUP_DB_LIMITS.maxValueLength} characters; this one has ${count}.`;
    }
    return 'Enter a text, a number, or true or false as the value.';
  }
  if (path === 'keys' && message === 'must name at least one key') return 'Select at least one key to delete.';
  if (path === 'data' && message === 'must name at least one key') return 'Enter a key.';
  if (message.startsWith('names ')) return `A DB holds at most ${LOGUP_DB_LIMITS.maxKeys} keys.`;
  return 'That change could not be made. Check the form and try again.';
}

/** Every problem of a rejected DB update or delete, as sentences. */
export function friendlyIssues(error: LogupValidationError): string[] {
  return [...new Set(error.issues.map(friendlyIssue))];
}

/** The sentence for a DB update LogUp itself refused, or undefined when it is not one a visitor can fix. */
export function friendlyDbRefusal(error: unknown): string | undefined {
  if (error instanceof LogupApiError && error.errorMessage === 'TOO_MANY_KEYS') {
    return `Your DB is full: it holds at most ${LOGUP_DB_LIMITS.maxKeys} keys. Delete a key before adding a new one.`;
  }
  return undefined;
}

/** The DB form's own problems (checked before calling LogUp). */
export const FORM_MESSAGES = {
  notOneValue: 'Enter one value.',
  notNumber: 'Enter a number, such as 42 or 3.5.',
  notBoolean: 'Choose true or false: type true or false as the value.',
  badDisplayName: (max: number) =>
    `Enter a display name of 1 to ${max} characters, without line breaks or other control characters.`,
} as const;

/** What an error page says: a title and sentences, for an error the page has no special text for. */
export function friendlyErrorPage(error: HttpException, messages: string[]): { title: string; messages: string[] } {
  const status: number = error.getStatus();
  const title = `Error ${status}`;
  if (error instanceof VisitorWriteLimitException) {
    return {
      title,
      messages: [
        `You are making changes too quickly: at most ${error.limit} a minute. ` +
          `Please wait ${error.retryAfterSeconds} seconds and try again; nothing was changed.`,
      ],
    };
  }
  if (error instanceof ThrottlerException || status === 429) {
    return { title, messages: ['Too many attempts from your address. Please wait a minute and try again.'] };
  }
  if (error instanceof LogupTokenNotAcceptedException) {
    return {
      title,
      messages: ['This address carries a LogUp login token, which only the login step accepts. Nothing was changed.'],
    };
  }
  if (error instanceof UnauthorizedException && status === 401) {
    return { title, messages: ['LogUp could not confirm this login. Please log in again from the home page.'] };
  }
  // Nest's own texts ("Cannot GET /x", "Not Found", "Payload Too Large") are for developers.
  if (error instanceof NotFoundException && messages.every((m) => /^Cannot [A-Z]+ |^Not Found$/.test(m))) {
    return { title, messages: ['There is no page at this address.'] };
  }
  if (error instanceof PayloadTooLargeException) {
    return { title, messages: ['What you sent is too large.'] };
  }
  if (status === 400 && messages.every((m) => !/[.!?]$/.test(m))) {
    // A library or framework text ("keys must name at least one key"): not for people.
    return { title, messages: ['This request could not be understood. Please go back and try again.'] };
  }
  return { title, messages: messages.map(sentence) };
}

/** A message as a sentence: capital first letter, final full stop. */
export function sentence(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return trimmed;
  const capital = trimmed[0].toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}
