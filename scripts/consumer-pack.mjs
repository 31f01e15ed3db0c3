// Helpers of scripts/consumer-tests.mjs: the README's blocks, and the packed tarballs
// with the checks of what they hold.
import { execFileSync } from 'node:child_process';
import { readFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The `npm install` commands of a README block marked `<!-- install: name -->`, comments removed. */
export function installLines(name) {
  const block = new RegExp(`<!-- install: ${name} -->\\n\`\`\`bash\\n([\\s\\S]*?)\`\`\``).exec(README)?.[1];
  if (!block) throw new Error(`README.md has no "<!-- install: ${name} -->" block`);
  return block
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter(Boolean);
}

/** The JSON of a README block marked `<!-- json: name -->`. */
export function jsonBlock(name) {
  const block = new RegExp(`<!-- json: ${name} -->\\n\`\`\`json\\n([\\s\\S]*?)\`\`\``).exec(README)?.[1];
  if (!block) throw new Error(`README.md has no "<!-- json: ${name} -->" block`);
  return JSON.parse(block);
}

const REQUIRED = {
  'nestjs-logup': [
    'dist/esm/index.js',
    'dist/esm/index.d.ts',
    'dist/cjs/index.js',
    'dist/cjs/index.d.ts',
    'dist/cjs/package.json',
    'dist/esm/integrations/logup.testing.js',
    'dist/cjs/integrations/logup.health.js',
    'dist/esm/integrations/logup.passport.js',
    'dist/esm/integrations/logup.passport.d.ts',
    'dist/cjs/integrations/logup.passport.js',
    'dist/cjs/integrations/logup.passport.d.ts',
    'README.md',
    'LICENSE',
  ],
  'logup-emulator': ['dist/esm/index.js', 'dist/cjs/index.js', 'dist/esm/cli.js', 'dist/cjs/package.json'],
};

/** Packs both packages into `tarballs/<name>.tgz` and checks what they hold. */
export function packAndCheck(tarballs, check) {
  for (const [pkg, required] of Object.entries(REQUIRED)) {
    const dir = join(ROOT, 'packages', pkg);
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', tarballs], { cwd: dir, encoding: 'utf8' });
    const [packed] = JSON.parse(out);
    renameSync(join(tarballs, packed.filename), join(tarballs, `${pkg}.tgz`));
    const files = packed.files.map((f) => f.path);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const bins = Object.values(manifest.bin ?? {}).map((b) => b.replace(/^\.\//, ''));
    const stray = files.filter(
      (f) => !f.startsWith('dist/') && !['package.json', 'README.md', 'LICENSE', ...bins].includes(f),
    );
    check(
      `${pkg}: the tarball holds only dist, its bin, package.json, README and LICENSE`,
      stray.length === 0 && bins.every((b) => files.includes(b)),
      stray.join(', '),
    );
    check(`${pkg}: no specs or source maps packed`, !files.some((f) => /\.spec\.|\.map$/.test(f)));
    const missing = required.filter((f) => !files.includes(f));
    check(`${pkg}: ESM and CommonJS entry points packed`, missing.length === 0, missing.join(', '));
    const firstKeys = Object.values(manifest.exports).flatMap((e) =>
      typeof e === 'object' ? Object.values(e).map((c) => Object.keys(c)[0]) : [],
    );
    check(
      `${pkg}: every exports condition lists types first`,
      firstKeys.every((k) => k === 'types'),
    );
    if (pkg === 'nestjs-logup') {
      check(
        'nestjs-logup: package.json has repository, homepage and bugs',
        Boolean(manifest.repository?.url && manifest.homepage && manifest.bugs?.url),
      );
      const dts = readFileSync(join(dir, 'dist/esm/logup.service.d.ts'), 'utf8');
      check('nestjs-logup: JSDoc kept in the .d.ts', dts.includes('/**') && dts.includes('@example'));
    } else {
      check('logup-emulator: bin is declared', Boolean(manifest.bin?.['logup-emulator']));
    }
  }
}
