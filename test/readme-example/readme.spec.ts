import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

describe('the README', () => {
  it('shows exactly the example test that CI runs', () => {
    const readme = readFileSync(join(here, '..', '..', 'README.md'), 'utf8');
    const example = readFileSync(join(here, 'account.e2e-spec.ts'), 'utf8');
    const block = /<!-- example: test\/readme-example\/account\.e2e-spec\.ts -->\n```ts\n([\s\S]*?)```/.exec(readme);
    expect(block?.[1]).toBe(example);
  });

  it('starts with exactly the two set-up commands', () => {
    const readme = readFileSync(join(here, '..', '..', 'README.md'), 'utf8');
    const first = /```bash\n([\s\S]*?)```/
      .exec(readme)?.[1]
      .trim()
      .split('\n')
      .map((l) => l.replace(/\s+#.*$/, ''));
    expect(first).toEqual(['npm install && npm start', 'npm test']);
  });
});
