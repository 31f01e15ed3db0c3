import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const readme = readFileSync(join(here, '..', '..', 'README.md'), 'utf8');

describe('the README', () => {
  it('shows exactly the example test that CI runs', () => {
    const example = readFileSync(join(here, 'auth.controller.spec.ts'), 'utf8');
    const block = /<!-- example: test\/readme-example\/auth\.controller\.spec\.ts -->\n```ts\n([\s\S]*?)```/.exec(
      readme,
    );
    expect(block?.[1]).toBe(example);
  });

  it('tests the same controller it shows (and the consumer apps run)', () => {
    const tested = readFileSync(join(here, 'auth.controller.ts'), 'utf8');
    const shown = readFileSync(join(here, '..', 'consumers', 'shared', 'src', 'auth.controller.ts'), 'utf8');
    expect(tested).toBe(shown);
  });

  it('starts with exactly the two set-up commands', () => {
    const first = /```bash\n([\s\S]*?)```/
      .exec(readme)?.[1]
      .trim()
      .split('\n')
      .map((l) => l.replace(/\s+#.*$/, ''));
    expect(first).toEqual(['npm install && npm start', 'npm test']);
  });
});
