import type { Rule, SchematicContext, Tree } from '@angular-devkit/schematics';
import { NodePackageInstallTask } from '@angular-devkit/schematics/tasks';
import { addDependencies } from './dependencies.js';
import { inspectProject, type LogupProject, type NestAddOptions } from './project.js';
import { addCallAfterCreate, addToModuleImports, type EditResult } from './source-edits.js';
import { sessionFile } from './session-template.js';
import { configFile, controllerFile, moduleFile } from './templates.js';
import { envExample, specFile } from './test-template.js';

export type { NestAddOptions } from './project.js';

/**
 * The `nest-add` schematic (`nest add nestjs-logup`): writes <sourceRoot>/logup/
 * (the `logup` config namespace, LogupAuthModule with LogupModule.forRootAsync,
 * the login controller, the session set-up for the app's adapter and a test for
 * its runner), imports the module in app.module.ts, sets the session up in
 * main.ts, adds .env.example and the dependencies, then installs them. Running
 * it again changes nothing; a file the app changed is kept and reported.
 */
export function nestAdd(options: NestAddOptions = {}): Rule {
  return (tree: Tree, context: SchematicContext) => {
    const project = inspectProject(tree, options);
    const log = context.logger;
    log.info(`nestjs-logup: Nest ${project.nestMajor}, ${project.adapter} with ${project.session}`);
    for (const [name, text] of generatedFiles(project)) writeFile(tree, context, `${project.dir}/${name}`, text);
    editAppModule(tree, context, project);
    editMain(tree, context, project);
    const existing = tree.exists('/.env.example') ? tree.readText('/.env.example') : undefined;
    const env = envExample(project, existing);
    if (env !== undefined) {
      if (existing === undefined) tree.create('/.env.example', env);
      else tree.overwrite('/.env.example', env);
    }
    const added = addDependencies(tree, project);
    if (added.length > 0) {
      log.info(`nestjs-logup: added to package.json: ${added.join(', ')}`);
      if (!options.skipInstall) context.addTask(new NodePackageInstallTask());
    }
    log.info(
      "nestjs-logup: next, copy .env.example to .env and fill it in; set the gate's redirect URL to " +
        'https://<your site>/logup/callback in LogUp\'s console; "Log in" is a POST form at /logup/login.',
    );
    return tree;
  };
}

function generatedFiles(project: LogupProject): [string, string][] {
  const files: [string, string][] = [
    ['logup.config.ts', configFile(project)],
    ['logup-auth.module.ts', moduleFile(project)],
    ['logup.controller.ts', controllerFile(project)],
    ['logup.session.ts', sessionFile(project)],
  ];
  if (project.runner) files.push(['logup.controller.spec.ts', specFile(project)]);
  return files;
}

/** Creates a file; an existing one is kept (and reported when it differs). */
function writeFile(tree: Tree, context: SchematicContext, path: string, text: string): void {
  if (!tree.exists(path)) return tree.create(path, text);
  if (tree.readText(path) !== text) {
    context.logger.warn(`nestjs-logup: kept your ${path.slice(1)} (it differs from what this version writes)`);
  }
}

function applyEdit(tree: Tree, context: SchematicContext, path: string, result: EditResult, manual: string): void {
  if ('problem' in result) {
    context.logger.warn(`nestjs-logup: did not change ${path.slice(1)}: ${result.problem}. ${manual}`);
  } else if (result.text !== tree.readText(path)) {
    tree.overwrite(path, result.text);
  }
}

function editAppModule(tree: Tree, context: SchematicContext, project: LogupProject): void {
  const path = project.appModulePath;
  const manual = "Add ConfigModule.forRoot() and LogupAuthModule to your root module's imports yourself.";
  if (!tree.exists(path)) return context.logger.warn(`nestjs-logup: no ${path.slice(1)}. ${manual}`);
  const text = tree.readText(path);
  const entries = [
    { symbol: 'LogupAuthModule', expression: 'LogupAuthModule', from: `./logup/logup-auth.module${project.ext}` },
  ];
  // .env is loaded by ConfigModule.forRoot(); an app that has it already keeps its own.
  if (!/ConfigModule\s*\.\s*forRoot(Async)?\s*\(/.test(text)) {
    entries.unshift({ symbol: 'ConfigModule', expression: 'ConfigModule.forRoot()', from: '@nestjs/config' });
  }
  applyEdit(tree, context, path, addToModuleImports(path, text, entries), manual);
}

function editMain(tree: Tree, context: SchematicContext, project: LogupProject): void {
  const path = project.mainPath;
  const fastify = project.adapter === 'fastify';
  const manual = `Call ${fastify ? 'await ' : ''}setupLogupSession(app) from ./logup/logup.session before app.listen().`;
  if (!tree.exists(path)) return context.logger.warn(`nestjs-logup: no ${path.slice(1)}. ${manual}`);
  const needed = { symbol: 'setupLogupSession', from: `./logup/logup.session${project.ext}` };
  applyEdit(tree, context, path, addCallAfterCreate(path, tree.readText(path), needed, fastify), manual);
}
