/** What /me?notice=<code> may say. */
export const NOTICES = {
  saved: 'Saved.',
  deleted: 'Deleted the selected keys.',
  renamed: 'Saved your display name.',
} as const;

/** What /?notice=<code> may say. */
export const HOME_NOTICES = {
  'logged-out': 'You are logged out.',
  'logged-out-everywhere': 'You are logged out on every device.',
} as const;

/** The fixed text for a notice code, or undefined: the URL can choose which text, never what it says. */
export function noticeText<T extends Record<string, string>>(notices: T, code: unknown): string | undefined {
  return typeof code === 'string' && Object.hasOwn(notices, code) ? notices[code] : undefined;
}
