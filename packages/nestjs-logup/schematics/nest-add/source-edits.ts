import ts from 'typescript';

/** One text insertion at an offset of the original text. */
interface Insertion {
  at: number;
  text: string;
}

/** An import the edited file needs: `import { symbol } from 'from'`. */
export interface NeededImport {
  symbol: string;
  from: string;
}

/** The result of an edit: the new text, or why the file was left as it was. */
export type EditResult = { text: string } | { problem: string };

const parse = (path: string, text: string) => ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);

function apply(text: string, insertions: Insertion[]): string {
  return [...insertions]
    .sort((a, b) => b.at - a.at)
    .reduce((result, { at, text: added }) => result.slice(0, at) + added + result.slice(at), text);
}

/** Whether the file already imports `symbol` by that name. */
function imports(source: ts.SourceFile, symbol: string): boolean {
  return source.statements.some((s) => {
    if (!ts.isImportDeclaration(s)) return false;
    const bindings = s.importClause?.namedBindings;
    const named =
      bindings && ts.isNamedImports(bindings) ? bindings.elements.some((e) => e.name.text === symbol) : false;
    return named || s.importClause?.name?.text === symbol;
  });
}

/** Import lines for the symbols not imported yet, placed after the last import. */
function importInsertions(source: ts.SourceFile, needed: NeededImport[]): Insertion[] {
  const missing = needed.filter((n) => !imports(source, n.symbol));
  if (missing.length === 0) return [];
  const lastImport = [...source.statements].reverse().find(ts.isImportDeclaration);
  const lines = missing.map((n) => `import { ${n.symbol} } from '${n.from}';`).join('\n');
  return lastImport ? [{ at: lastImport.getEnd(), text: `\n${lines}` }] : [{ at: 0, text: `${lines}\n` }];
}

/** The object literal of the first `@Module({ ... })` decorator in the file. */
function moduleMetadata(source: ts.SourceFile): ts.ObjectLiteralExpression | undefined {
  let found: ts.ObjectLiteralExpression | undefined;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isDecorator(node) && ts.isCallExpression(node.expression)) {
      const call = node.expression;
      const [argument] = call.arguments;
      if (ts.isIdentifier(call.expression) && call.expression.text === 'Module' && argument) {
        if (ts.isObjectLiteralExpression(argument)) found = argument;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const indentOf = (text: string, at: number) => /^[ \t]*/.exec(text.slice(text.lastIndexOf('\n', at - 1) + 1))![0];

/** Appends elements to an array literal, in the style (one line or one per line) it is written in. */
function appendToArray(text: string, array: ts.ArrayLiteralExpression, elements: string[]): Insertion {
  const items = array.elements;
  if (items.length === 0) return { at: array.getEnd() - 1, text: elements.join(', ') };
  const last = items[items.length - 1];
  const multiline = text.slice(array.getStart(), last.getStart()).includes('\n');
  const trailingComma = items.hasTrailingComma;
  if (!multiline) return { at: last.getEnd(), text: elements.map((e) => `, ${e}`).join('') };
  const indent = indentOf(text, last.getStart());
  const added = elements.map((e) => `\n${indent}${e}`);
  return trailingComma
    ? { at: text.indexOf(',', last.getEnd()) + 1, text: added.map((a) => `${a},`).join('') }
    : { at: last.getEnd(), text: added.map((a) => `,${a}`).join('') };
}

/**
 * Adds entries to the `imports` of the file's `@Module()` (creating the property
 * when there is none), and their import lines. Entries whose `symbol` the array
 * already names are left out, so running it again changes nothing.
 */
export function addToModuleImports(
  path: string,
  text: string,
  entries: { symbol: string; expression: string; from: string }[],
): EditResult {
  const source = parse(path, text);
  const metadata = moduleMetadata(source);
  if (!metadata) return { problem: `${path} has no @Module({ ... }) decorator` };
  const property = metadata.properties.find(
    (p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText(source) === 'imports',
  );
  if (property && !ts.isArrayLiteralExpression(property.initializer)) {
    return { problem: `the imports of @Module() in ${path} are not an array literal` };
  }
  const array = property?.initializer as ts.ArrayLiteralExpression | undefined;
  const present = (symbol: string) =>
    array?.elements.some((e) => new RegExp(`^${symbol}\\b`).test(e.getText(source))) ?? false;
  const missing = entries.filter((e) => !present(e.symbol));
  if (missing.length === 0) return { text };
  const insertions = importInsertions(source, missing);
  const expressions = missing.map((e) => e.expression);
  if (array) insertions.push(appendToArray(text, array, expressions));
  else {
    const indent = metadata.properties[0] ? indentOf(text, metadata.properties[0].getStart()) : '  ';
    const at = metadata.getStart() + 1;
    const separator = metadata.properties.length ? ',' : '';
    insertions.push({ at, text: `\n${indent}imports: [${expressions.join(', ')}]${separator}` });
  }
  return { text: apply(text, insertions) };
}

/** The `const app = await NestFactory.create(...)` statement of main.ts, and the variable's name. */
function createStatement(source: ts.SourceFile): { statement: ts.Statement; name: string } | undefined {
  let found: { statement: ts.Statement; name: string } | undefined;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isVariableStatement(node)) {
      for (const declaration of node.declarationList.declarations) {
        let init = declaration.initializer;
        if (init && ts.isAwaitExpression(init)) init = init.expression;
        const callee = init && ts.isCallExpression(init) ? init.expression : undefined;
        const isCreate =
          callee && ts.isPropertyAccessExpression(callee) && /^NestFactory\.create$/.test(callee.getText(source));
        if (isCreate && ts.isIdentifier(declaration.name)) found = { statement: node, name: declaration.name.text };
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * Calls `<call>(app);` (or `await <call>(app);`) right after main.ts creates the
 * app, and imports it. Left as it was when main.ts already calls it.
 */
export function addCallAfterCreate(path: string, text: string, needed: NeededImport, awaited: boolean): EditResult {
  const source = parse(path, text);
  if (new RegExp(`\\b${needed.symbol}\\(`).test(text)) return { text };
  const create = createStatement(source);
  if (!create) return { problem: `${path} has no \`const app = await NestFactory.create(...)\`` };
  const indent = indentOf(text, create.statement.getStart());
  const call = {
    at: create.statement.getEnd(),
    text: `\n${indent}${awaited ? 'await ' : ''}${needed.symbol}(${create.name});`,
  };
  return { text: apply(text, [...importInsertions(source, [needed]), call]) };
}
