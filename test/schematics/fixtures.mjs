// The files `nest new` writes that `nest add nestjs-logup` reads or edits, as the
// Nest 12 CLI (ESM, vitest) and the Nest 11 CLI (CommonJS, jest) write them, and a
// runner for the built schematic (what the tarball ships, loaded as the Nest CLI
// loads it: require() of dist/schematics through collection.json).
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { HostTree } = require('@angular-devkit/schematics');
const { SchematicTestRunner, UnitTestTree } = require('@angular-devkit/schematics/testing');
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const COLLECTION = join(ROOT, 'packages/nestjs-logup/dist/schematics/collection.json');

export const NEST12_PACKAGE = {
  name: 'app12',
  private: true,
  type: 'module',
  scripts: { build: 'nest build', test: 'vitest run' },
  dependencies: {
    '@nestjs/common': '^12.0.1',
    '@nestjs/core': '^12.0.1',
    '@nestjs/platform-express': '^12.0.1',
    'nestjs-logup': '^0.1.0',
    'reflect-metadata': '^0.2.2',
    rxjs: '^7.8.1',
  },
  devDependencies: { '@nestjs/cli': '^12.0.0', '@nestjs/testing': '^12.0.1', typescript: '^6.0.2', vitest: '^4.1.2' },
};

export const NEST11_PACKAGE = {
  name: 'app11',
  private: true,
  scripts: { build: 'nest build', test: 'jest' },
  dependencies: {
    '@nestjs/common': '^11.0.1',
    '@nestjs/core': '^11.0.1',
    '@nestjs/platform-express': '^11.0.1',
    'nestjs-logup': '^0.1.0',
    'reflect-metadata': '^0.2.2',
    rxjs: '^7.8.1',
  },
  devDependencies: { '@nestjs/cli': '^11.0.0', '@nestjs/testing': '^11.0.1', jest: '^30.0.0', typescript: '^5.7.3' },
};

export const NEST12_MAIN = `import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';

async function bootstrap() {
  const app = await NestFactory.create(AppModule);
  await app.listen(process.env.PORT ?? 3000);
}
await bootstrap();
`;

export const NEST11_MAIN = NEST12_MAIN.replace("'./app.module.js'", "'./app.module'").replace(
  'await bootstrap();',
  'bootstrap();',
);

export const FASTIFY_MAIN = `import { NestFactory } from '@nestjs/core';
import {
  FastifyAdapter,
  NestFastifyApplication,
} from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';

async function bootstrap() {
  const application = await NestFactory.create<NestFastifyApplication>(
    AppModule,
    new FastifyAdapter(),
  );
  await application.listen(process.env.PORT ?? 3000, '0.0.0.0');
}
await bootstrap();
`;

export const appModule = (ext) => `import { Module } from '@nestjs/common';
import { AppController } from './app.controller${ext}';
import { AppService } from './app.service${ext}';

@Module({
  imports: [],
  controllers: [AppController],
  providers: [AppService],
})
export class AppModule {}
`;

/** A tree holding an app: package.json (unless `pkg` is undefined), and files by path. */
export function appTree(pkg, files = {}) {
  const tree = new UnitTestTree(new HostTree());
  if (pkg) tree.create('/package.json', `${JSON.stringify(pkg, null, 2)}\n`);
  for (const [path, text] of Object.entries(files)) tree.create(`/${path}`, text);
  return tree;
}

/** A Nest 12 app fresh from `nest new` (or with these files instead, and these dependencies added). */
export const nest12 = (files = {}, dependencies = {}) =>
  appTree(
    { ...NEST12_PACKAGE, dependencies: { ...NEST12_PACKAGE.dependencies, ...dependencies } },
    { 'src/main.ts': NEST12_MAIN, 'src/app.module.ts': appModule('.js'), ...files },
  );
export const nest11 = () => appTree(NEST11_PACKAGE, { 'src/main.ts': NEST11_MAIN, 'src/app.module.ts': appModule('') });

/** A Nest 12 app on Fastify; `extra` dependencies such as @fastify/session. */
export const fastifyApp = (extra = {}) =>
  appTree(
    {
      ...NEST12_PACKAGE,
      dependencies: { ...NEST12_PACKAGE.dependencies, '@nestjs/platform-fastify': '^12.0.0', ...extra },
    },
    { 'src/main.ts': FASTIFY_MAIN, 'src/app.module.ts': appModule('.js') },
  );

/** Runs `nest-add` on the tree; its warnings and the install tasks it scheduled. */
export async function add(tree, options = {}) {
  const runner = new SchematicTestRunner('nestjs-logup', COLLECTION);
  const warnings = [];
  runner.logger.subscribe((entry) => entry.level === 'warn' && warnings.push(entry.message));
  const result = await runner.runSchematic('nest-add', { sourceRoot: 'src', ...options }, tree);
  return { tree: result, warnings, installs: runner.tasks.filter((t) => t.name === 'node-package').length };
}

/** Every file of the tree, path to text. */
export function files(tree) {
  const all = new Map();
  tree.visit((path) => void all.set(path, tree.readText(path)));
  return all;
}

export const pkgOf = (tree) => JSON.parse(tree.readText('/package.json'));

/** Asserts that the tree's file at `path` is `original` with each `[from, to]` edit made (first match each). */
export function assertEdited(tree, path, original, edits) {
  assert.equal(
    tree.readText(path),
    edits.reduce((text, [from, to]) => text.replace(from, to), original),
  );
}
