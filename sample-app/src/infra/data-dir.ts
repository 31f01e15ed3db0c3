import { chmod, lstat, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SampleConfigError } from '../sample.config.js';

/** Permission bits of a directory this app creates (owner only). */
export const PRIVATE_DIR_MODE = 0o700;
/** Permission bits of a file this app keeps (owner read/write only). */
export const PRIVATE_FILE_MODE = 0o600;

const octal = (mode: number) => `0${(mode & 0o777).toString(8)}`;

/**
 * Makes sure `dir` is this process's own private directory, creating it (0700) if
 * missing. Refuses, naming the path and the fix, a directory another user owns (for
 * instance one a local user created first in a shared temporary folder) and one that
 * group or others can write; a symbolic link counts only if this user made it. On
 * systems without user ids (Windows) only the creation is done.
 * @throws SampleConfigError
 */
export async function ensurePrivateDir(dir: string, variable = 'DATA_DIR'): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new SampleConfigError(
      `${variable}=${dir} cannot hold the profile database (${code}): set ${variable} to a directory this process can write`,
    );
  }
  const uid = process.getuid?.();
  if (uid === undefined) return;
  const link = await lstat(dir);
  if (link.isSymbolicLink() && link.uid !== uid && link.uid !== 0) {
    throw new SampleConfigError(
      `${variable}=${dir} is a symbolic link made by another user (uid ${link.uid}): set ${variable} to a directory of your own`,
    );
  }
  const info = await stat(dir);
  if (!info.isDirectory()) {
    throw new SampleConfigError(
      `${variable}=${dir} cannot hold the profile database (ENOTDIR): set ${variable} to a directory this process can write`,
    );
  }
  if (info.uid !== uid) {
    throw new SampleConfigError(
      `${variable}=${dir} belongs to another user (uid ${info.uid}; this process runs as uid ${uid}), who may have ` +
        `created it before this app: set ${variable} to a directory of your own`,
    );
  }
  if ((info.mode & 0o022) !== 0) {
    throw new SampleConfigError(
      `${variable}=${dir} can be written by other users (mode ${octal(info.mode)}), who could replace the profile ` +
        `database: run chmod 700 ${dir}, or set ${variable} to a private directory`,
    );
  }
}

/**
 * Makes existing files of the app in `dir` private (0600). Refuses, naming it, one
 * that is not a regular file of this user (a link or another user's file).
 * @throws SampleConfigError
 */
export async function ensurePrivateFiles(dir: string, names: readonly string[]): Promise<void> {
  const uid = process.getuid?.();
  for (const name of names) {
    const file = join(dir, name);
    const info = await lstat(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (!info) continue;
    if (!info.isFile() || (uid !== undefined && info.uid !== uid)) {
      throw new SampleConfigError(
        `${file} is not a file of this user (${info.isFile() ? `uid ${info.uid}` : 'not a regular file'}): ` +
          'move it away, or set DATA_DIR to a directory of your own',
      );
    }
    if ((info.mode & 0o777) !== PRIVATE_FILE_MODE) await chmod(file, PRIVATE_FILE_MODE);
  }
}
