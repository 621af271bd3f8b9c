#!/usr/bin/env node
// Bundles the CLI (tsc's dist/cli.js and everything it imports from dist/) with esbuild, for start-up time:
// Node 20 spends about 1 ms per ESM module it loads, and `svl local start` loaded ~100 of svl's own before
// its first healthy answer. bin/svl.js imports dist/bundle/cli.mjs. Run by `npm run build` and `prepare`,
// after tsc: the bundle is made from dist/ and does not replace it (tests and `svl/testing` use dist/).
//
// Two bundles, each with code splitting (every dynamic import() stays a chunk of its own, loaded only when
// it runs): dist/bundle/ the CLI, dist/bundle/local/ the emulator (what the CLI imports from dist/local/).
// One bundle for both split the emulator's start into ~25 chunks, because CLI commands share its domain
// modules (zip, filter policies, ARNs…); apart, the emulator's chunks are cut only by its own lazy parts
// (S3, API Gateway, SNS platform/SMS/data protection, event source mappings), which stay lazy.
// - dist/errors.js stays one module outside both bundles: the error boundary's `instanceof SvlError` must
//   see the class the emulator threw (a second emulator on a state directory, a port in use).
// - Packages stay in node_modules (better-sqlite3 is native; the AWS SDK, ora, inquirer load there when a
//   command needs them), but commander and chalk, which every command that runs loads: in the bundle they cost
//   no package resolution nor CommonJS-to-ESM wrapping. Commander is CommonJS: its require()s of node:
//   built-ins go through a require that the banner makes in each output file.
// - Each module keeps its own import.meta.url: files found next to a module (bin/svl.js, package.json,
//   templates/, the Lambda node bootstrap, the S3 body worker) are still found from its tsc location.
// - dist/bundle/meta.json (esbuild's metafiles of both) says which dist/ modules each output file holds;
//   test/helpers/module-log.mjs reads it to name what a process loaded in dist/ terms.
//
// Not done: minifying (whitespace and syntax measured no faster to start, within the noise, and stack traces
// with --debug stay readable), source maps.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const cliOut = join(dist, 'bundle');
const localOut = join(cliOut, 'local');
rmSync(cliOut, { recursive: true, force: true }); // chunk names change with their content: no stale ones
const posix = (p) => p.split(sep).join('/');
const relUrl = (from, to) => {
  const r = posix(relative(from, to));
  return r.startsWith('.') ? r : `./${r}`;
};

/** What the CLI imports from dist/local/: the emulator bundle's entry points, by output name. */
const localEntries = {
  server: join(dist, 'local/server.js'),
  log: join(dist, 'local/log.js'),
  'state-dir': join(dist, 'local/store/state-dir.js'),
  lock: join(dist, 'local/store/lock.js'),
};
const errorsJs = join(dist, 'errors.js');

/** Rewrites `import.meta.url` in each dist/ module to that module's own URL, relative to the output dir. */
const ownImportMetaUrl = (outdir) => ({
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      // Every chunk sits directly in outdir, so the same relative URL holds whichever chunk the code lands in.
      const own = `new URL(${JSON.stringify(relUrl(outdir, args.path))}, import.meta.url).href`;
      return { contents: text.replaceAll('import.meta.url', own), loader: 'js', resolveDir: dirname(args.path) };
    });
  },
});

/** Imports of `targets` (absolute dist/ paths -> output file) become external imports of that file. */
const externalTo = (outdir, targets) => ({
  name: 'external-to',
  setup(b) {
    b.onResolve({ filter: /^\./ }, (args) => {
      const target = targets.get(join(args.resolveDir, args.path));
      return target ? { path: relUrl(outdir, target), external: true } : undefined;
    });
  },
});

/** Packages stay in node_modules (external), but for `names`, which go into the bundle. */
const packagesExternalBut = (names) => ({
  name: 'packages-external-but',
  setup(b) {
    b.onResolve({ filter: /^[^./#]/ }, (args) => {
      const name = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0];
      if (names.includes(name) || args.path.startsWith('node:')) return undefined;
      return { path: args.path, external: true };
    });
  },
});

const common = {
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  chunkNames: '[name]-[hash]',
  // .mjs: Node knows an ES module by its extension, without looking for the package.json that says so
  // (~4 ms of the emulator's start-up on Node 20, over its ~20 files).
  outExtension: { '.js': '.mjs' },
  metafile: true,
  absWorkingDir: root,
  logLevel: 'warning',
};

const local = await build({
  ...common,
  entryPoints: localEntries,
  outdir: localOut,
  plugins: [externalTo(localOut, new Map([[errorsJs, errorsJs]])), ownImportMetaUrl(localOut)],
});

const toLocal = new Map(Object.entries(localEntries).map(([name, src]) => [src, join(localOut, `${name}.mjs`)]));
toLocal.set(errorsJs, errorsJs);
const cli = await build({
  ...common,
  entryPoints: { cli: join(dist, 'cli.js') },
  packages: undefined,
  outdir: cliOut,
  plugins: [externalTo(cliOut, toLocal), ownImportMetaUrl(cliOut), packagesExternalBut(['commander', 'chalk'])],
  banner: { js: "import { createRequire as __svlCreateRequire } from 'node:module';\nconst require = __svlCreateRequire(import.meta.url);" },
});

// Paths relative to the package root, e.g. outputs["dist/bundle/local/server.mjs"].inputs["dist/local/sqs/send.js"].
const meta = {
  inputs: { ...local.metafile.inputs, ...cli.metafile.inputs },
  outputs: { ...local.metafile.outputs, ...cli.metafile.outputs },
};
await writeFile(join(cliOut, 'meta.json'), `${JSON.stringify(meta, null, 1)}\n`);

// The CLI must reach dist/local/ only through the emulator bundle's entries (one copy of the emulator).
const strays = Object.keys(cli.metafile.inputs).filter((p) => p.startsWith('dist/local/'));
if (strays.length) throw new Error(`the CLI bundle holds emulator modules (add them to localEntries): ${strays.join(', ')}`);
