// Runs `npm run docs` (TypeDoc with typedoc.json) into a temporary directory, as
// JSON and HTML, and checks what a reader of the API reference sees.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Reflection {
  name: string;
  kind: number;
  flags?: Record<string, boolean>;
  children?: Reflection[];
  comment?: { blockTags?: { tag: string }[]; modifierTags?: string[] };
  [key: string]: unknown;
}
interface Project extends Reflection {
  readme?: unknown[];
}

const KIND = { module: 2, class: 128, method: 2048, constructor: 512 };
let out: string;
let project: Project;
let index: string;

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'logup-typedoc-'));
  await promisify(execFile)(
    process.execPath,
    [join(ROOT, 'node_modules/typedoc/bin/typedoc'), '--out', join(out, 'html'), '--json', join(out, 'api.json')],
    { cwd: ROOT },
  );
  project = JSON.parse(readFileSync(join(out, 'api.json'), 'utf8')) as Project;
  index = readFileSync(join(out, 'html', 'index.html'), 'utf8');
}, 180_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

const moduleNamed = (name: string) => project.children!.find((c) => c.name === name && c.kind === KIND.module)!;
const member = (parent: Reflection, name: string) => parent.children?.find((c) => c.name === name);

/** Every reflection in a subtree, with the path of names leading to it. */
function* walk(value: unknown, path: string): Generator<{ node: Record<string, unknown>; path: string }> {
  if (Array.isArray(value)) for (const item of value) yield* walk(item, path);
  else if (value && typeof value === 'object') {
    const node = value as Record<string, unknown>;
    yield { node, path };
    const here = node.variant === 'declaration' && typeof node.name === 'string' ? `${path}/${node.name}` : path;
    for (const child of Object.values(node)) yield* walk(child, here);
  }
}

it('uses the README as the landing page', () => {
  expect(project.readme?.length).toBeGreaterThan(0);
  expect(index).toContain('Migrating from the Python SDK');
});

it('names the modules as users import them', () => {
  const names = project.children!.filter((c) => c.kind === KIND.module).map((c) => c.name);
  const entries = ['nestjs-logup', 'nestjs-logup/testing', 'nestjs-logup/health', 'nestjs-logup/passport'];
  expect(names).toEqual(expect.arrayContaining([...entries, 'nestjs-logup/swagger']));
  expect(member(moduleNamed('nestjs-logup/passport'), 'LogupStrategy')).toBeDefined();
  expect(member(moduleNamed('nestjs-logup/swagger'), 'ApiLogup')).toBeDefined();
  expect(member(moduleNamed('nestjs-logup/testing'), 'LogupTestGuard')).toBeDefined();
  expect(member(moduleNamed('nestjs-logup/health'), 'LogupHealthIndicator')).toBeDefined();
});

it('hides @internal members, such as the LogupSubscription constructor', () => {
  const subscription = member(moduleNamed('nestjs-logup'), 'LogupSubscription')!;
  expect(subscription.kind).toBe(KIND.class);
  expect(member(subscription, 'constructor')).toBeUndefined();
  const internal = [...walk(project, '')].filter(({ node }) =>
    ((node.comment as Reflection['comment'])?.modifierTags ?? []).includes('@internal'),
  );
  expect(internal.map((i) => i.path)).toEqual([]);
});

it('shows forRoot and forRootAsync as static methods of LogupModule', () => {
  const logupModule = member(moduleNamed('nestjs-logup'), 'LogupModule')!;
  for (const name of ['forRoot', 'forRootAsync']) {
    expect(member(logupModule, name)).toMatchObject({ kind: KIND.method, flags: { isStatic: true } });
  }
});

it.each(['Subscription', 'CurrentSubscription', 'LogupPublic', 'LogupCallback'])(
  'shows the decorator %s without any `any` in its signature',
  (name) => {
    const decorator = member(moduleNamed('nestjs-logup'), name);
    expect(decorator).toBeDefined();
    const anys = [...walk(decorator, name)].filter(({ node }) => node.type === 'intrinsic' && node.name === 'any');
    expect(anys.map((a) => a.path)).toEqual([]);
  },
);
