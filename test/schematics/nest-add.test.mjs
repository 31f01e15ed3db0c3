// The built nest-add schematic on in-memory apps shaped as `nest new` makes them
// (Nest 12: ESM and vitest; Nest 11: CommonJS and jest): what it writes and edits,
// and that a second run changes nothing. Needs the build (it loads dist/schematics,
// as the Nest CLI does):  npm run build && node --test test/schematics/
// scripts/schematic-tests.mjs runs it for real through the Nest CLI.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { URL } from 'node:url';
import { describe, it } from 'node:test';
import * as prettier from 'prettier';
import {
  NEST12_MAIN,
  NEST12_PACKAGE,
  add,
  appModule,
  appTree,
  assertEdited,
  fastifyApp,
  files,
  nest11,
  nest12,
  pkgOf,
} from './fixtures.mjs';

/** The files `nest add` writes or edits in a Nest 12 app, sorted. */
const NEST12_FILES = [
  '/.env.example',
  '/package.json',
  '/src/app.module.ts',
  '/src/logup/logup-auth.module.ts',
  '/src/logup/logup.config.ts',
  '/src/logup/logup.controller.spec.ts',
  '/src/logup/logup.controller.ts',
  '/src/logup/logup.session.ts',
  '/src/main.ts',
];

describe('nest add nestjs-logup on a Nest 12 app (ESM, vitest, Express): what it writes and edits', () => {
  it('writes the logup folder and .env.example, imports the module and sets the session up', async () => {
    const { tree, warnings, installs } = await add(nest12());
    assert.deepEqual(warnings, []);
    assert.deepEqual([...files(tree).keys()].sort(), NEST12_FILES);
    const imports =
      "import { AppService } from './app.service.js';\nimport { ConfigModule } from '@nestjs/config';\n" +
      "import { LogupAuthModule } from './logup/logup-auth.module.js';";
    assertEdited(tree, '/src/app.module.ts', appModule('.js'), [
      ["import { AppService } from './app.service.js';", imports],
      ['imports: [],', 'imports: [ConfigModule.forRoot(), LogupAuthModule],'],
    ]);
    assertEdited(tree, '/src/main.ts', NEST12_MAIN, [
      [
        "from './app.module.js';",
        "from './app.module.js';\nimport { setupLogupSession } from './logup/logup.session.js';",
      ],
      ['create(AppModule);', 'create(AppModule);\n  setupLogupSession(app);'],
    ]);
    assert.equal(installs, 1);
  });

  it('adds the Nest 12 dependencies, sorted, and keeps the ones the app lists', async () => {
    const pkg = pkgOf((await add(nest12())).tree);
    assert.deepEqual(pkg.dependencies, {
      '@nestjs/axios': '^12.0.0',
      '@nestjs/common': '^12.0.1',
      '@nestjs/config': '^12.0.0',
      '@nestjs/core': '^12.0.1',
      '@nestjs/platform-express': '^12.0.1',
      axios: '^1.3.1',
      'express-session': '^1.18.0',
      'nestjs-logup': '^0.1.0',
      'reflect-metadata': '^0.2.2',
      rxjs: '^7.8.1',
    });
    assert.equal(pkg.devDependencies['@types/express-session'], '^1.18.0');
    const { version } = JSON.parse(readFileSync(new URL('../../packages/nestjs-logup/package.json', import.meta.url)));
    assert.equal(pkg.devDependencies['logup-emulator'], `^${version}`);
  });
});

describe('nest add nestjs-logup on a Nest 12 app: the controller and test it writes, and a second run', () => {
  it('writes the safe controller: a POST login start from a form, guarded callback and me, a POST logout', async () => {
    const { tree } = await add(nest12());
    const controller = tree.readText('/src/logup/logup.controller.ts');
    assert.match(
      controller,
      /@Post\('login'\)\s+@Redirect\(\)\s+async login\(@Req\(\) request: object\) \{\s+await this\.logup\.startLogin\(request\);/,
    );
    assert.match(controller, /<form method="post" action="\/logup\/login">/);
    assert.match(controller, /@Get\('callback'\)\s+@UseGuards\(LogupGuard\)/);
    assert.match(controller, /@Get\('me'\)\s+@UseGuards\(LogupGuard\)/);
    assert.match(controller, /@Post\('logout'\)\s+@HttpCode\(204\)/);
    assert.doesNotMatch(controller, /@Get\('logout'\)/);
    assert.match(
      tree.readText('/src/logup/logup-auth.module.ts'),
      /LogupModule\.forRootAsync\(\{[\s\S]*inject: \[logupConfig\.KEY\]/,
    );
    const config = tree.readText('/src/logup/logup.config.ts');
    assert.match(config, /registerAs\('logup'/);
    for (const name of ['LOGUP_ID_GATE', 'LOGUP_SECRET', 'LOGUP_LOGIN_URL', 'SESSION_SECRET']) {
      assert.ok(config.includes(`required('${name}')`), name);
      assert.match(tree.readText('/.env.example'), new RegExp(`^${name}=$`, 'm'));
    }
    assert.ok(!config.includes('SESSION_SALT'));
  });

  it('writes a vitest test with ESM imports that starts the login with a same-origin POST', async () => {
    const spec = (await add(nest12())).tree.readText('/src/logup/logup.controller.spec.ts');
    assert.ok(spec.includes("import { afterAll, beforeAll, describe, expect, it } from 'vitest';"));
    assert.ok(spec.includes("from './logup-auth.module.js';"));
    assert.ok(spec.includes("method: 'POST',\n      headers: { origin: url },"));
  });

  it('changes nothing, warns of nothing and installs nothing when run a second time', async () => {
    const first = await add(nest12());
    const before = files(first.tree);
    const second = await add(first.tree);
    assert.deepEqual(files(second.tree), before);
    assert.equal(second.installs, 0);
    assert.deepEqual(second.warnings, []);
  });
});

describe('nest add nestjs-logup on a Nest 12 app: formatting, options and refusals', () => {
  it('writes prettier-formatted code, as `nest new` formats it (Express, Fastify, Nest 11 and 12)', async () => {
    const apps = [nest12(), nest11(), fastifyApp(), fastifyApp({ '@fastify/session': '^11.1.0' })];
    for (const { tree } of await Promise.all(apps.map((app) => add(app)))) {
      for (const [path, text] of files(tree)) {
        if (!path.endsWith('.ts')) continue;
        const formatted = await prettier.format(text, {
          parser: 'typescript',
          singleQuote: true,
          trailingComma: 'all',
        });
        assert.equal(text, formatted, path);
      }
    }
  });

  it('skips the install with skipInstall, and follows another sourceRoot', async () => {
    const tree = appTree(NEST12_PACKAGE, {
      'apps/api/src/main.ts': NEST12_MAIN,
      'apps/api/src/app.module.ts': appModule('.js'),
    });
    const { tree: result, installs } = await add(tree, { sourceRoot: './apps/api/src/', skipInstall: true });
    assert.equal(installs, 0);
    assert.ok(result.exists('/apps/api/src/logup/logup.controller.ts'));
    assert.ok(result.readText('/apps/api/src/main.ts').includes('setupLogupSession(app);'));
    assert.ok(result.readText('/apps/api/src/app.module.ts').includes('LogupAuthModule]'));
  });

  it('refuses a wrong option value (schema.json)', async () => {
    await assert.rejects(add(nest12(), { adapter: 'koa' }), /adapter/);
  });
});

describe('nest add nestjs-logup on a Nest 11 app (CommonJS, jest)', () => {
  it('writes extensionless imports, Nest 11 dependencies and a jest test', async () => {
    const { tree } = await add(nest11());
    assert.ok(
      tree.readText('/src/app.module.ts').includes("import { LogupAuthModule } from './logup/logup-auth.module';"),
    );
    const main = tree.readText('/src/main.ts');
    assert.ok(main.includes("import { setupLogupSession } from './logup/logup.session';\n"));
    assert.ok(main.includes('const app = await NestFactory.create(AppModule);\n  setupLogupSession(app);\n'));
    assert.match(main, /\nbootstrap\(\);\n$/);
    const spec = tree.readText('/src/logup/logup.controller.spec.ts');
    assert.ok(!spec.includes("from 'vitest'"));
    assert.ok(spec.includes("from './logup.session';"));
    const { dependencies } = pkgOf(tree);
    assert.equal(dependencies['@nestjs/axios'], '^4.0.0');
    assert.equal(dependencies['@nestjs/config'], '^4.0.0');
  });

  it('refuses another Nest major, and a folder that is not an app, saying why', async () => {
    const nest10 = appTree({ dependencies: { '@nestjs/core': '^10.4.0' } });
    await assert.rejects(add(nest10), {
      message: 'nestjs-logup supports Nest 11 and 12; package.json asks for @nestjs/core "^10.4.0".',
    });
    await assert.rejects(add(appTree({})), /@nestjs\/core "\(none\)"/);
    await assert.rejects(add(appTree(undefined)), {
      message: 'No package.json here: run `nest add nestjs-logup` in the root of a Nest app.',
    });
  });
});
