// node scripts/sync-readme-snippets.mjs [--check]: rewrites every README code block
// marked `<!-- file: path -->` with that file as it is (the README's code lives in
// examples/<section>/), so editing an example and syncing is one step.
// test/docs/readme-snippets.spec.ts checks the same blocks byte for byte.
// With --check it writes nothing, lists the blocks that differ and exits 1 if any do.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const READMES = ['README.md', 'packages/nestjs-logup/README.md'];
const BLOCK = /(<!-- file: (\S+) -->\n```\w*\n)([\s\S]*?)```/g;
const checkOnly = process.argv.includes('--check');

let stale = 0;
for (const readme of READMES) {
  const text = readFileSync(join(ROOT, readme), 'utf8');
  const synced = text.replace(BLOCK, (block, head, path, code) => {
    const file = join(ROOT, path);
    if (!existsSync(file)) throw new Error(`${readme} shows ${path}, which does not exist`);
    const content = readFileSync(file, 'utf8');
    if (!content.endsWith('\n')) throw new Error(`${path} must end with a newline to be shown in ${readme}`);
    if (content === code) return block;
    stale++;
    process.stdout.write(`${readme}: ${path} ${checkOnly ? 'differs' : 'updated'}\n`);
    return `${head}${content}\`\`\``;
  });
  if (!checkOnly && synced !== text) writeFileSync(join(ROOT, readme), synced);
}
process.stdout.write(`${stale} block(s) ${checkOnly ? 'differ' : 'updated'}\n`);
process.exit(checkOnly && stale > 0 ? 1 : 0);
