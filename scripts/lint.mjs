#!/usr/bin/env node
// `npm run lint`: the project's conventions as grep-able rules (no eslint), then a type check.
// Each violation is printed as file:line: rule, and any violation fails the run.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const posix = (p) => p.split(sep).join('/');

function filesUnder(dir, test) {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { recursive: true })
    .map((rel) => posix(join(dir, String(rel))))
    .filter((p) => !p.includes('node_modules') && test(p));
}

const isTest = (p) => /\.test\.(ts|mjs|js)$/.test(p);
const sources = filesUnder('src', (p) => p.endsWith('.ts'));
const tests = [...sources.filter(isTest), ...filesUnder('test', (p) => /\.(mjs|js|ts)$/.test(p))];

const UI_LIBS = String.raw`(?:chalk|ora|cli-table3|@inquirer\/[\w-]+)`;
// The Lambda runtime client for Node functions is not part of svl's process: it IS the handler process,
// which must patch console (AWS's log format) and exit when the handler cannot be loaded, as AWS's does.
const HANDLER_PROCESS = 'src/local/lambda/runtime/node-bootstrap.ts';
// Inline functions (svl/testing) run in the test process: their runtime copies console output into the
// invocation's log, as the handler process's runtime client does.
const INLINE_RUNTIME = 'src/local/lambda/runtime/inline.ts';
const rules = [
  {
    name: 'process.exit / process.exitCode outside src/cli.ts (throw an SvlError instead)',
    files: sources,
    allowed: (p) => p === 'src/cli.ts' || p === HANDLER_PROCESS,
    pattern: /\bprocess\.exit(?:Code)?\b/,
  },
  {
    name: 'console.* outside src/ui/ and src/local/log.ts (use the Ui)',
    files: sources,
    allowed: (p) => p.startsWith('src/ui/') || p === 'src/local/log.ts' || p === HANDLER_PROCESS || p === INLINE_RUNTIME,
    pattern: /\bconsole\.\w+/,
  },
  {
    name: 'chalk/ora/cli-table3/@inquirer imported outside src/ui/',
    files: sources,
    allowed: (p) => p.startsWith('src/ui/'),
    pattern: new RegExp(String.raw`(?:from\s+|import\s*\(\s*|require\s*\(\s*|import\s+)['"]${UI_LIBS}(?:\/[^'"]*)?['"]`),
  },
  {
    // The emulator knows no CLI, and the CLI reaches the emulator only through AWS APIs, /_svl or `svl local`:
    // shared AWS logic (filter policies, zip, runtimes, the AWS error type) lives in src/domain.
    name: 'src/local imported from outside the emulator (only `svl local` may; shared logic belongs in src/domain)',
    // svl/testing (src/testing) IS the emulator as a library: it starts it in-process.
    files: sources.filter((p) => !p.startsWith('src/local/') && !p.startsWith('src/commands/local/') && !p.startsWith('src/testing/')),
    pattern: /(?:from\s+|import\s*\(\s*)['"](?:\.\.?\/)+(?:\.\.\/)*local\//,
  },
  {
    name: 'src/domain imports the CLI or the emulator (it is shared by both and depends on neither)',
    files: sources.filter((p) => p.startsWith('src/domain/')),
    pattern: /(?:from\s+|import\s*\(\s*)['"]\.\.\//,
  },
  {
    // One way to load the SDK: require() through sdk.ts, cheaper than an ESM import of its CommonJS files,
    // and an import after a require pays the ESM loader's work again (sdk.ts says why). Types are free.
    name: 'AWS SDK client package loaded outside src/aws/sdk.ts (use sqsSdk() & co.; `import type` is fine)',
    files: sources.filter((p) => !isTest(p)),
    allowed: (p) => p === 'src/aws/sdk.ts',
    pattern: /(?:^\s*import\s+(?!type\b)[^;]*from\s+|^\s*\}\s*from\s+|(?<!typeof\s+)import\s*\(\s*|require\s*\(\s*)['"]@aws-sdk\/client-/,
  },
  { name: 'skipped test (.skip( or skip: true)', files: tests, pattern: /\.skip\s*\(|\bskip\s*:\s*true\b/ },
  { name: 'focused test (.only( or only: true)', files: tests, pattern: /\.only\s*\(|\bonly\s*:\s*true\b/ },
];

/** Comment lines are not code; a rule mentioned in a comment is not a violation. */
const isComment = (line) => /^\s*(\/\/|\/\*|\*)/.test(line);

const problems = [];
for (const rule of rules) {
  for (const file of rule.files) {
    if (rule.allowed?.(file)) continue;
    readFileSync(join(root, file), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (!isComment(line) && rule.pattern.test(line)) problems.push(`${file}:${i + 1}: ${rule.name}\n    ${line.trim()}`);
      });
  }
}

if (problems.length > 0) {
  process.stderr.write(`${problems.join('\n')}\n\nlint: ${problems.length} problem(s)\n`);
  process.exit(1);
}
process.stderr.write(`lint: ${sources.length + tests.length} files clean; type-checking…\n`);

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '--noEmit', '-p', join(root, 'tsconfig.json')], {
  stdio: 'inherit',
  cwd: root,
});
process.exit(r.status ?? 1);
