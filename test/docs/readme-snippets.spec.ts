// Every README snippet marked `<!-- file: path -->` (or `<!-- example: path -->`) is
// that file of the repository, byte for byte: the consumer apps and the README
// example test run those files, so the snippets are proven as written.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const READMES = ['README.md', 'packages/nestjs-logup/README.md'];

function snippets(readme: string): { path: string; code: string }[] {
  const text = readFileSync(join(ROOT, readme), 'utf8');
  return [...text.matchAll(/<!-- (?:file|example): (\S+) -->\n```\w*\n([\s\S]*?)```/g)].map((m) => ({
    path: m[1],
    code: m[2],
  }));
}

describe.each(READMES)('%s', (readme) => {
  const found = snippets(readme);

  it('has file snippets', () => {
    expect(found.length).toBeGreaterThan(3);
  });

  it.each(found.map((s) => [s.path, s.code]))('shows %s exactly', (path, code) => {
    expect(existsSync(join(ROOT, path))).toBe(true);
    expect(code).toBe(readFileSync(join(ROOT, path), 'utf8'));
  });
});

describe('the root README', () => {
  const text = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const shown = snippets('README.md').map((s) => s.path);

  it('shows every source file of the consumer apps', () => {
    for (const file of [
      'test/consumers/shared/src/app.module.ts',
      'test/consumers/shared/src/auth.controller.ts',
      'test/consumers/shared/src/health.module.ts',
      'test/consumers/nest11-cjs/src/main.ts',
      'test/consumers/nest12-esm/src/main.ts',
      'test/readme-example/auth.controller.spec.ts',
    ]) {
      expect(shown).toContain(file);
    }
  });

  it.each([
    ['Passport', 'test/passport/app-user.strategy.ts'],
    ['Passport', 'test/passport/logup-auth.guard.ts'],
    ['Passport', 'test/passport/auth.module.ts'],
    ['the login hook', 'test/integrations/users.login-handler.ts'],
    ['GraphQL', 'test/graphql/visitor.resolver.ts'],
    ['several gates', 'test/integrations/gates.module.ts'],
    ['HTTP settings', 'test/integrations/logup-http.options.ts'],
    ['OpenTelemetry', 'test/integrations/telemetry.setup.ts'],
  ])('shows %s with a file a test runs (%s)', (_integration, file) => {
    expect(shown).toContain(file);
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
