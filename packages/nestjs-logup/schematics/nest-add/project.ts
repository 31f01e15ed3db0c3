import { SchematicsException, type Tree } from '@angular-devkit/schematics';

/** Options of the `nest-add` schematic (see schema.json). */
export interface NestAddOptions {
  /** The app's source folder; the Nest CLI passes nest-cli.json's `sourceRoot`. Default `'src'`. */
  sourceRoot?: string;
  /** The HTTP adapter; by default found from package.json and main.ts. */
  adapter?: 'express' | 'fastify';
  /** Do not run the package manager after adding the dependencies. Default false. */
  skipInstall?: boolean;
}

/** The session middleware the schematic wires. */
export type SessionLibrary = 'express-session' | '@fastify/secure-session' | '@fastify/session';

/** What the schematic found out about the app it installs into. */
export interface LogupProject {
  sourceRoot: string;
  /** Where the generated files go: `<sourceRoot>/logup`. */
  dir: string;
  mainPath: string;
  appModulePath: string;
  nestMajor: 11 | 12;
  adapter: 'express' | 'fastify';
  session: SessionLibrary;
  /** What relative imports end with: `'.js'` (ESM, or an app that writes them so) or `''`. */
  ext: '' | '.js';
  /** The app's test runner, from its devDependencies; undefined: no test is generated. */
  runner?: 'vitest' | 'jest';
}

/** The subset of package.json the schematic reads and writes. */
export interface PackageJson {
  type?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  [key: string]: unknown;
}

/** package.json of the app, or a clear error when there is none. */
export function readPackageJson(tree: Tree): PackageJson {
  const text = tree.readText('/package.json');
  try {
    return JSON.parse(text) as PackageJson;
  } catch (error) {
    throw new SchematicsException(`package.json is not valid JSON: ${(error as Error).message}`);
  }
}

/** The major of a version range such as `^12.0.1` or `~11.1.0`, or undefined. */
export function majorOf(range: string | undefined): number | undefined {
  const match = /(\d+)(?:\.|$|\s)/.exec(range ?? '');
  return match ? Number(match[1]) : undefined;
}

/** Finds the app's Nest major, adapter, session library, module style and test runner. */
export function inspectProject(tree: Tree, options: NestAddOptions): LogupProject {
  if (!tree.exists('/package.json')) {
    throw new SchematicsException('No package.json here: run `nest add nestjs-logup` in the root of a Nest app.');
  }
  const pkg = readPackageJson(tree);
  const deps = { ...pkg.devDependencies, ...pkg.dependencies };
  const core = deps['@nestjs/core'];
  const nestMajor = majorOf(core);
  if (nestMajor !== 11 && nestMajor !== 12) {
    throw new SchematicsException(
      `nestjs-logup supports Nest 11 and 12; package.json asks for @nestjs/core "${core ?? '(none)'}".`,
    );
  }
  const sourceRoot = (options.sourceRoot ?? 'src').replace(/^\.?\/+|\/+$/g, '') || 'src';
  const mainPath = `/${sourceRoot}/main.ts`;
  const appModulePath = `/${sourceRoot}/app.module.ts`;
  const main = tree.exists(mainPath) ? tree.readText(mainPath) : '';
  const adapter =
    options.adapter ??
    (/FastifyAdapter/.test(main) || (deps['@nestjs/platform-fastify'] && !deps['@nestjs/platform-express'])
      ? 'fastify'
      : 'express');
  const session: SessionLibrary =
    adapter === 'express'
      ? 'express-session'
      : deps['@fastify/session'] && !deps['@fastify/secure-session']
        ? '@fastify/session'
        : '@fastify/secure-session';
  const appModule = tree.exists(appModulePath) ? tree.readText(appModulePath) : '';
  const writesJs = /from\s+['"]\.{1,2}\/[^'"]+\.js['"]/.test(`${main}\n${appModule}`);
  const ext = pkg.type === 'module' || writesJs ? '.js' : '';
  const runner = deps.vitest ? 'vitest' : deps.jest ? 'jest' : undefined;
  return { sourceRoot, dir: `/${sourceRoot}/logup`, mainPath, appModulePath, nestMajor, adapter, session, ext, runner };
}
