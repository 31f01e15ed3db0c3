import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Tree } from '@angular-devkit/schematics';
import { readPackageJson, type LogupProject } from './project.js';

/** This package's own version, from the nearest package.json named nestjs-logup above this file (the schematic runs as CommonJS). */
export function ownVersion(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'nestjs-logup' && pkg.version) return pkg.version;
    } catch {
      // no package.json here: look further up
    }
    if (dirname(dir) === dir) throw new Error(`nestjs-logup's package.json not found above ${from}`);
  }
}

/** What the generated code needs, per dependency section, for the app's Nest major and adapter. */
export function neededDependencies(project: LogupProject, version: string) {
  const nest12 = project.nestMajor === 12;
  const dependencies: Record<string, string> = {
    'nestjs-logup': `^${version}`,
    // @nestjs/axios 12 and @nestjs/config 12 are ESM-only and need Nest 12.
    '@nestjs/axios': nest12 ? '^12.0.0' : '^4.0.0',
    '@nestjs/config': nest12 ? '^12.0.0' : '^4.0.0',
    axios: '^1.3.1',
  };
  const devDependencies: Record<string, string> = { 'logup-emulator': `^${version}` };
  if (project.session === 'express-session') {
    dependencies['express-session'] = '^1.18.0';
    devDependencies['@types/express-session'] = '^1.18.0';
  } else {
    dependencies['@nestjs/platform-fastify'] = nest12 ? '^12.0.0' : '^11.0.0';
    if (project.session === '@fastify/session') {
      dependencies['@fastify/session'] = '^11.0.0';
      dependencies['@fastify/cookie'] = '^11.0.0';
    } else {
      dependencies['@fastify/secure-session'] = '^8.0.0';
    }
  }
  return { dependencies, devDependencies };
}

const sorted = (record: Record<string, string>) =>
  Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));

/**
 * Adds to package.json the dependencies it lacks (a package listed in either
 * section, at any version or as a file:, is left as it is).
 * @returns the names added.
 */
export function addDependencies(tree: Tree, project: LogupProject, version = ownVersion()): string[] {
  const pkg = readPackageJson(tree);
  const listed = { ...pkg.dependencies, ...pkg.devDependencies };
  const added: string[] = [];
  const needed = neededDependencies(project, version);
  for (const section of ['dependencies', 'devDependencies'] as const) {
    const entries = Object.entries(needed[section]).filter(([name]) => !(name in listed));
    if (entries.length === 0) continue;
    pkg[section] = sorted({ ...pkg[section], ...Object.fromEntries(entries) });
    added.push(...entries.map(([name, range]) => `${name}@${range}`));
  }
  if (added.length > 0) tree.overwrite('/package.json', `${JSON.stringify(pkg, null, 2)}\n`);
  return added;
}
