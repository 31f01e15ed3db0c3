// The built nest-add schematic on apps that are not fresh from `nest new`: Fastify
// (with @fastify/secure-session or @fastify/session), an app.module.ts that already
// loads ConfigModule or writes its imports one per line, files it cannot edit safely
// (left as they are, with a warning saying what to add), generated files the app
// changed (kept), and an .env.example of the app's own (only missing variables added).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { add, assertEdited, fastifyApp, files, nest12, pkgOf } from './fixtures.mjs';

describe('nest add nestjs-logup on a Fastify app', () => {
  it('registers @fastify/secure-session, awaited, on the app main.ts creates', async () => {
    const { tree, warnings } = await add(fastifyApp());
    assert.deepEqual(warnings, []);
    const main = tree.readText('/src/main.ts');
    assert.ok(main.includes("import { setupLogupSession } from './logup/logup.session.js';\n"));
    assert.ok(
      main.includes(
        '    new FastifyAdapter(),\n  );\n  await setupLogupSession(application);\n  await application.listen(',
      ),
    );
    const session = tree.readText('/src/logup/logup.session.ts');
    assert.ok(session.includes("import secureSession from '@fastify/secure-session';"));
    assert.match(
      session,
      /await app\.register\(secureSession, \{\s+secret: config\.sessionSecret,\s+salt: config\.sessionSalt,/,
    );
    assert.ok(tree.readText('/src/logup/logup.config.ts').includes("required('SESSION_SALT')"));
    assert.match(tree.readText('/.env.example'), /^SESSION_SALT=$/m);
    const spec = tree.readText('/src/logup/logup.controller.spec.ts');
    assert.ok(spec.includes('new FastifyAdapter()') && spec.includes('await setupLogupSession(app);'));
    const { dependencies, devDependencies } = pkgOf(tree);
    assert.equal(dependencies['@fastify/secure-session'], '^8.0.0');
    assert.equal(dependencies['express-session'], undefined);
    assert.equal(devDependencies['@types/express-session'], undefined);
  });

  it('uses @fastify/session (with @fastify/cookie) when the app has it', async () => {
    const { tree } = await add(fastifyApp({ '@fastify/session': '^11.1.0' }));
    const session = tree.readText('/src/logup/logup.session.ts');
    assert.ok(session.includes('await app.register(fastifyCookie);\n  await app.register(fastifySession, {'));
    assert.ok(!tree.readText('/src/logup/logup.config.ts').includes('SESSION_SALT'));
    const { dependencies } = pkgOf(tree);
    assert.equal(dependencies['@fastify/session'], '^11.1.0');
    assert.equal(dependencies['@fastify/cookie'], '^11.0.0');
    assert.equal(dependencies['@fastify/secure-session'], undefined);
  });

  it('takes --adapter over what it finds', async () => {
    const { tree } = await add(nest12(), { adapter: 'fastify' });
    assert.ok(tree.readText('/src/logup/logup.session.ts').includes('NestFastifyApplication'));
  });
});

// An app with its own code: an app.module.ts that writes its imports one per line.
const OWN_MODULE = `import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { UsersModule } from './users/users.module.js';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    UsersModule,
  ],
})
export class AppModule {}
`;

describe('nest add nestjs-logup on an app with its own code: its module and main.ts', () => {
  it("keeps the app's ConfigModule.forRoot() and adds the module on a line of its own", async () => {
    const { tree } = await add(nest12({ 'src/app.module.ts': OWN_MODULE }));
    assertEdited(tree, '/src/app.module.ts', OWN_MODULE, [
      ["users.module.js';\n", "users.module.js';\nimport { LogupAuthModule } from './logup/logup-auth.module.js';\n"],
      ['    UsersModule,\n', '    UsersModule,\n    LogupAuthModule,\n'],
    ]);
    const again = await add(tree);
    assert.equal(again.tree.readText('/src/app.module.ts').match(/LogupAuthModule/g).length, 2);
  });

  it('adds an imports array to a @Module() that has none', async () => {
    const module =
      "import { Module } from '@nestjs/common';\n\n@Module({\n  controllers: [],\n})\nexport class AppModule {}\n";
    const { tree } = await add(nest12({ 'src/app.module.ts': module }));
    assert.ok(
      tree
        .readText('/src/app.module.ts')
        .includes('@Module({\n  imports: [ConfigModule.forRoot(), LogupAuthModule],\n  controllers: [],\n})'),
    );
  });

  it('leaves alone a module whose imports it cannot edit, and a main.ts without NestFactory.create, saying what to add', async () => {
    const module =
      "import { Module } from '@nestjs/common';\nimport { IMPORTS } from './imports.js';\n\n@Module({ imports: IMPORTS })\nexport class AppModule {}\n";
    const main = "import { bootstrap } from './bootstrap.js';\n\nawait bootstrap();\n";
    const { tree, warnings } = await add(nest12({ 'src/app.module.ts': module, 'src/main.ts': main }));
    assert.equal(tree.readText('/src/app.module.ts'), module);
    assert.equal(tree.readText('/src/main.ts'), main);
    assert.equal(warnings.length, 2);
    assert.match(
      warnings[0],
      /did not change src\/app\.module\.ts: the imports of @Module\(\) in \/src\/app\.module\.ts are not an array literal\. Add ConfigModule\.forRoot\(\) and LogupAuthModule/,
    );
    assert.match(
      warnings[1],
      /did not change src\/main\.ts: .*NestFactory\.create.*Call setupLogupSession\(app\) from \.\/logup\/logup\.session before app\.listen\(\)/,
    );
  });
});

describe('nest add nestjs-logup on an app with its own code: files and dependencies it already has', () => {
  it('keeps generated files the app changed, and says so', async () => {
    const first = await add(nest12());
    first.tree.overwrite('/src/logup/logup.controller.ts', '// mine\n');
    const { tree, warnings } = await add(first.tree);
    assert.equal(tree.readText('/src/logup/logup.controller.ts'), '// mine\n');
    assert.deepEqual(warnings, [
      'nestjs-logup: kept your src/logup/logup.controller.ts (it differs from what this version writes)',
    ]);
  });

  it(".env.example of the app's own: only the missing variables are appended", async () => {
    const own = 'DATABASE_URL=postgres://localhost/app\nLOGUP_ID_GATE=gate_mine';
    const { tree } = await add(nest12({ '.env.example': own }));
    const env = tree.readText('/.env.example');
    assert.ok(env.startsWith(`${own}\n\n# LogUp login`));
    assert.equal(env.match(/^LOGUP_ID_GATE=/gm).length, 1);
    assert.match(env, /^LOGUP_SECRET=$/m);
    const again = files((await add(tree)).tree);
    assert.equal(again.get('/.env.example'), env);
  });

  it('keeps a dependency the app lists at its own version', async () => {
    const { tree } = await add(nest12({ 'src/main.ts': 'x' }, { 'express-session': '1.17.3' }));
    assert.equal(pkgOf(tree).dependencies['express-session'], '1.17.3');
  });
});
