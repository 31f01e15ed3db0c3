// Every README snippet marked `<!-- file: path -->` is that file of the repository,
// byte for byte: the README's code lives in examples/<section>/, where each section's
// spec (and the consumer apps) run it, so the snippets are proven as written.
// After editing an example: node scripts/sync-readme-snippets.mjs
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const READMES = ['README.md', 'packages/nestjs-logup/README.md'];

function snippets(readme: string): { path: string; code: string }[] {
  const text = readFileSync(join(ROOT, readme), 'utf8');
  return [...text.matchAll(/<!-- file: (\S+) -->\n```\w*\n([\s\S]*?)```/g)].map((m) => ({
    path: m[1],
    code: m[2],
  }));
}

describe.each(READMES)('%s', (readme) => {
  const found = snippets(readme);

  it('has file snippets', () => {
    expect(found.length).toBeGreaterThan(3);
  });

  it.each(found.map((s) => [s.path, s.code]))('shows %s exactly (node scripts/sync-readme-snippets.mjs)', (path, code) => {
    expect(existsSync(join(ROOT, path))).toBe(true);
    expect(code).toBe(readFileSync(join(ROOT, path), 'utf8'));
  });
});

const text = readFileSync(join(ROOT, 'README.md'), 'utf8');
const shown = snippets('README.md').map((s) => s.path);

// examples/support/ holds what the sections' specs share: not a README section.
const examples = readdirSync(join(ROOT, 'examples'), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts'))
  .map((f) => `examples/${f.split(sep).join('/')}`)
  .filter((f) => !f.startsWith('examples/support/'));
const sections = readdirSync(join(ROOT, 'examples'), { withFileTypes: true }).filter(
  (d) => d.isDirectory() && d.name !== 'support',
);

describe('the root README', () => {
  it.each(examples.filter((f) => !f.endsWith('.spec.ts')))('shows or links %s', (file) => {
    expect(shown.includes(file) || text.includes(`](${file})`)).toBe(true);
  });

  it.each(sections.map((d) => d.name))('runs examples/%s/ in its spec, or in a test that imports it', (section) => {
    const specs = examples.filter((f) => f.startsWith(`examples/${section}/`) && f.endsWith('.spec.ts'));
    const tests = readdirSync(join(ROOT, 'test'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .filter((f) => readFileSync(join(ROOT, 'test', f), 'utf8').includes(`/examples/${section}/`));
    expect(specs.length + tests.length).toBeGreaterThan(0);
  });

  it('starts with exactly the two set-up commands', () => {
    const first = /```bash\n([\s\S]*?)```/
      .exec(text)?.[1]
      .trim()
      .split('\n')
      .map((l) => l.replace(/\s+#.*$/, ''));
    expect(first).toEqual(['npm install && npm start', 'npm test']);
  });

  it('gives the jest lines the consumer test adds to a Nest 11 app made by nest new', () => {
    const block = /<!-- json: nest11-jest -->\n```json\n([\s\S]*?)```/.exec(text);
    expect(block).not.toBeNull();
    expect(JSON.parse(block![1])).toEqual({ moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' } });
  });

  it('pins the install lines per Nest major (axios, passport)', () => {
    const block = (name: string) =>
      new RegExp(`<!-- install: ${name} -->\\n\`\`\`bash\\n([\\s\\S]*?)\`\`\``).exec(text)?.[1];
    expect(block('nest12')).toContain('@nestjs/axios@^12');
    expect(block('nest11')).toContain('@nestjs/axios@^4');
    expect(block('passport-nest12')).toContain('@nestjs/passport@^12');
    expect(block('passport-nest11')).toContain('@nestjs/passport@^11');
  });

  it('keeps room for the Security and Performance sections', () => {
    expect(text).toMatch(/^## Security$/m);
    expect(text).toMatch(/^## Performance$/m);
  });
});
