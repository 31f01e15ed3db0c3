import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

// The public surface of nestjs-logup, chosen and guarded: every entry point the
// package.json "exports" map names, with each export's kind (value or type only), as
// the type checker sees the sources; and the built ESM and CommonJS entries must
// expose exactly the value exports. A change here is a change of the public API:
// update the snapshot on purpose (jest -u), and say so in the changelog.

const PACKAGE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'packages', 'nestjs-logup');
const manifest = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as {
  exports: Record<string, string | { import: { default: string } }>;
};
/** Each entry point ('.', './testing', ...) and its ESM build file. */
const ENTRIES = Object.entries(manifest.exports)
  .filter(([, target]) => typeof target === 'object')
  .map(([entry, target]) => ({ entry, esm: (target as { import: { default: string } }).import.default }));
/** The source file of a built entry: dist/esm/x/y.js -> src/x/y.ts. */
const sourceOf = (esm: string) => join(PACKAGE, esm.replace(/^\.\/dist\/esm\//, 'src/').replace(/\.js$/, '.ts'));

function exportsBySource(): Record<string, Record<string, 'value' | 'type'>> {
  const files = ENTRIES.map(({ esm }) => sourceOf(esm));
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    experimentalDecorators: true,
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const surface: Record<string, Record<string, 'value' | 'type'>> = {};
  for (const { entry, esm } of ENTRIES) {
    const module = checker.getSymbolAtLocation(program.getSourceFile(sourceOf(esm))!)!;
    const names: Record<string, 'value' | 'type'> = {};
    for (const symbol of checker.getExportsOfModule(module).sort((a, b) => a.name.localeCompare(b.name))) {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      names[symbol.name] = target.flags & ts.SymbolFlags.Value ? 'value' : 'type';
    }
    surface[entry] = names;
  }
  return surface;
}

const surface = exportsBySource();

describe('the public surface of nestjs-logup', () => {
  it('names every entry point the package exports', () => {
    expect(ENTRIES.map(({ entry }) => entry)).toEqual(['.', './testing', './health', './passport', './swagger']);
  });

  it.each(ENTRIES.map(({ entry }) => entry))('exports what the snapshot says from %s', (entry) => {
    expect(surface[entry]).toMatchSnapshot();
  });

  it('keeps internals off the root entry', () => {
    const root = Object.keys(surface['.']);
    const internals = ['LogupTransport', 'LogupRequest', 'LogupResponse', 'LOGUP_PUBLIC_KEY', 'LOGUP_CALLBACK_KEY'];
    for (const name of [...internals, 'LOGUP_REQUEST_PROPERTY', 'LOGUP_CALLBACK_RULES', 'LOGUP_CONFIG']) {
      expect(root).not.toContain(name);
    }
    for (const name of ['LogupNotVerifiedException', 'LogupConfig', 'InjectLogupConfig', 'Subscription']) {
      expect(root).toContain(name);
    }
    expect(root).toContain('CurrentSubscription');
  });

  // The built files (npm test builds before jest): what an app really loads.
  it.each(ENTRIES)('the built ESM and CommonJS $entry expose exactly its value exports', ({ entry, esm }) => {
    const values = Object.keys(surface[entry]).filter((name) => surface[entry][name] === 'value');
    const cjs = esm.replace('/dist/esm/', '/dist/cjs/');
    const script = `
      import 'reflect-metadata';
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      const esm = Object.keys(await import(${JSON.stringify(join(PACKAGE, esm))})).sort();
      const cjs = Object.keys(require(${JSON.stringify(join(PACKAGE, cjs))})).filter((k) => k !== '__esModule').sort();
      console.log(JSON.stringify({ esm, cjs }));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      cwd: PACKAGE,
    });
    const built = JSON.parse(out.trim().split('\n').pop()!) as { esm: string[]; cjs: string[] };
    expect(built).toEqual({ esm: [...values].sort(), cjs: [...values].sort() });
  });
});
