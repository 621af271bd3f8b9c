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
// - Packages stay in node_modules (the AWS SDK, ora, inquirer load there when a command needs them), but
//   commander and chalk, which every command that runs loads, and better-sqlite3's JavaScript (not its addon),
//   which every emulator loads: in the bundle they cost no package resolution nor CommonJS loading. Their
//   require()s of node: built-ins (and better-sqlite3's of its addon) go through a require that a banner makes.
// - Files always loaded together are merged (mergeEagerChunks): the emulator's start loads server.mjs and
//   log.mjs (the store's state directory, lock and log, which `svl local status` loads alone), every command
//   but --version cli.mjs and program-*.mjs (commander, the program, the context and the registry).
// - Each module keeps its own import.meta.url: files found next to a module (bin/svl.js, package.json,
//   templates/, the Lambda node bootstrap, the S3 body worker) are still found from its tsc location.
// - dist/bundle/meta.json (esbuild's metafiles of both) says which dist/ modules each output file holds;
//   test/helpers/module-log.mjs reads it to name what a process loaded in dist/ terms.
//
// Not done: minifying (whitespace and syntax measured no faster to start, within the noise, and stack traces
// with --debug stay readable), source maps.
import { build, transform } from 'esbuild';
import { createHash } from 'node:crypto';
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
  'v8-tuning': join(dist, 'local/v8-tuning.js'),
};
const errorsJs = join(dist, 'errors.js');

/**
 * Rewrites `import.meta.url` in each dist/ module to that module's own URL, relative to the output dir, after
 * the `edits` (absolute dist/ path -> [text, replacement]) of that module, each of which must apply.
 */
const ownImportMetaUrl = (outdir, edits = new Map()) => ({
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, async (args) => {
      let text = await readFile(args.path, 'utf8');
      const edit = edits.get(args.path);
      if (edit) {
        if (!text.includes(edit[0])) throw new Error(`bundle: ${args.path} no longer contains ${JSON.stringify(edit[0])} (see scripts/bundle.mjs)`);
        text = text.replace(edit[0], edit[1]);
      } else if (!text.includes('import.meta.url')) return undefined;
      // Every chunk sits directly in outdir, so the same relative URL holds whichever chunk the code lands in.
      const own = `new URL(${JSON.stringify(relUrl(outdir, args.path))}, import.meta.url).href`;
      return { contents: text.replaceAll('import.meta.url', own), loader: 'js', resolveDir: dirname(args.path) };
    });
  },
});

/**
 * better-sqlite3's own JavaScript (~12 CommonJS files: Node resolves, reads and wraps each, ~4 ms of the
 * emulator's start-up) goes into the emulator's merged file (mergeEagerChunks); its compiled addon and the
 * `bindings` package stay in node_modules, loaded through the require that the banner makes there. The store
 * requires the package through a require of its own (createRequire: dist/ keeps it CommonJS for Node); in the
 * bundle that line takes the bundled copy, which the merge bundles, but only if the installed better-sqlite3
 * is the version bundled (its JavaScript and its addon go together): another one is required as before.
 */
const sqliteVersion = JSON.parse(await readFile(join(root, 'node_modules/better-sqlite3/package.json'), 'utf8')).version;
const storeRequire = new Map([
  [
    join(dist, 'local/store/db.js'),
    [
      "const Database = require('better-sqlite3');",
      "import BundledDatabase from 'better-sqlite3';\n" +
        `const Database = require('better-sqlite3/package.json').version === ${JSON.stringify(sqliteVersion)} ? BundledDatabase : require('better-sqlite3');`,
    ],
  ],
]);
const requireBanner = { js: "import { createRequire as __svlCreateRequire } from 'node:module';\nconst require = __svlCreateRequire(import.meta.url);" };

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
  plugins: [externalTo(localOut, new Map([[errorsJs, errorsJs]])), ownImportMetaUrl(localOut, storeRequire)],
});

/**
 * Merges into `entry` (an output file, e.g. "dist/bundle/local/server.mjs") the chunks it imports statically,
 * transitively, and the entries `also` (output files always loaded with it) with theirs: esbuild cuts what the
 * emulator's start shares with its lazy parts (S3, API Gateway, SNS's occasional parts, event source
 * mappings…) into chunks of its own, ~15 files that every start loads, and Node 20 spends ~0.25 ms per module
 * it loads beyond compiling it. esbuild cannot know that the entry is always loaded first, so this second
 * pass bundles the entry with those chunks into one file, which also exports each merged file's exports
 * under a name of its own; each merged file becomes a stub re-exporting them, for the files that still
 * import it (one module instance still: the stub hands out the entry's bindings, live). Chunks that the
 * entries `separate` reach stay files of their own (the CLI imports the store's state directory, lock and
 * log without the emulator: `svl local status` must not load it). Updates `metafile` to say what each file
 * now holds. `banner`: for the merged file, when it bundles a package (storeRequire).
 */
async function mergeEagerChunks(metafile, outdir, entryFile, { also = [], separate = [], banner } = {}) {
  const outputs = metafile.outputs;
  const statics = (f) => outputs[f].imports.filter((i) => i.kind === 'import-statement' && outputs[i.path]).map((i) => i.path);
  const closure = (start) => {
    const seen = new Set();
    const walk = (f) => statics(f).forEach((d) => seen.has(d) || (seen.add(d), walk(d)));
    walk(start);
    return seen;
  };
  const kept = new Set(separate.flatMap((f) => [f, ...closure(f)]));
  const merged = [...new Set([...also, ...[entryFile, ...also].flatMap((f) => [...closure(f)])])].filter((f) => f !== entryFile && !kept.has(f));
  if (outputs[entryFile].exports.includes('default')) throw new Error(`${entryFile}: a default export would be lost by the merge`);
  const base = (f) => f.split('/').pop();
  const alias = (f, name) => `__${base(f).replace(/\W/g, '_')}_${name}`;
  const source = [
    `export * from './${base(entryFile)}';`,
    ...merged.map((f) => `export { ${outputs[f].exports.map((e) => `${e} as ${alias(f, e)}`).join(', ')} } from './${base(f)}';`),
  ].join('\n');
  const inBundle = new Set([entryFile, ...merged].map((f) => join(root, f)));
  const out = await build({
    stdin: { contents: source, resolveDir: outdir, sourcefile: `merged-${base(entryFile)}`, loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    logLevel: 'warning',
    metafile: true,
    banner,
    plugins: [
      {
        name: 'merge-only-eager-chunks',
        setup(b) {
          b.onResolve({ filter: /.*/ }, (args) => {
            const abs = args.path.startsWith('.') ? join(args.resolveDir, args.path) : undefined;
            if (abs && inBundle.has(abs)) return { path: abs };
            // better-sqlite3's files: bundled, the package and what it requires relatively (storeRequire).
            if (args.path === 'better-sqlite3' || (abs && args.resolveDir.includes(`${sep}node_modules${sep}better-sqlite3${sep}`))) return undefined;
            return { path: args.path, external: true };
          });
        },
      },
    ],
  });
  const text = out.outputFiles[0].text;
  const [merging] = Object.values(out.metafile.outputs);
  const packaged = Object.keys(merging.inputs).filter((p) => p.includes('node_modules/'));
  if (packaged.length && !banner) throw new Error(`${entryFile}: the merge bundles packages (${packaged.join(', ')}) without a require banner`);
  await writeFile(join(root, entryFile), text);
  const o = outputs[entryFile];
  const mergedSet = new Set(merged);
  const imports = [...o.imports, ...merged.flatMap((f) => outputs[f].imports)].filter((i) => !mergedSet.has(i.path) && i.path !== entryFile);
  o.imports = imports.filter((i, k) => imports.findIndex((j) => j.path === i.path && j.kind === i.kind) === k);
  for (const f of merged) {
    const names = outputs[f].exports;
    const stub = names.length ? `export { ${names.map((e) => `${alias(f, e)} as ${e}`).join(', ')} } from './${base(entryFile)}';\n` : `import './${base(entryFile)}';\n`;
    await writeFile(join(root, f), stub);
    Object.assign(o.inputs, outputs[f].inputs);
    outputs[f] = { ...outputs[f], bytes: Buffer.byteLength(stub), inputs: {}, imports: [{ path: entryFile, kind: 'import-statement' }] };
  }
  for (const p of packaged) o.inputs[p] = merging.inputs[p];
  o.bytes = Buffer.byteLength(text);
}
/**
 * Node 20 keeps no compiled code of ES modules between runs (module.enableCompileCache, which bin/svl.js
 * turns on, is Node >= 22.1), and compiling the emulator's merged server.mjs is ~7-10 ms of every start (the
 * CLI's program-*.mjs, commander with it, ~3 ms of every command but --version). So such a file's code is
 * written a second time, as the body of a function (server-body.js: CommonJS-shaped by esbuild,
 * `import.meta.url` and `import()` handed in), and server.mjs becomes a small ES module that compiles that
 * body with vm.Script and a V8 code cache kept under the user's cache directory (XDG_CACHE_HOME, else
 * ~/.cache, in svl/v8-code-cache), runs it and exports what it exports. The cache is written once, by the
 * first process that had none, a second after it loaded the file or when it exits if sooner (then it also
 * holds what start-up compiled, and not what a long run compiled since), named by the body's
 * hash and the V8 version: V8 itself checks only the source's length, the hash keeps a changed body from
 * taking an old cache. NODE_DISABLE_COMPILE_CACHE turns it off, as it does Node's own; a cache that cannot
 * be read or written is no error. The exports are the body's values once it has run: the build fails if
 * one of them is ever reassigned (an ES module's live binding would see that, a copy would not).
 */
async function withCodeCache(entryFile, outputs) {
  const esm = await readFile(join(root, entryFile), 'utf8');
  // The require banner's `const require` would clash with the body's require (handed in, the same one).
  const banner = esm.startsWith(`${requireBanner.js}\n`) ? `${requireBanner.js}\n` : '';
  const exported = /\nexport \{([^}]*)\};\s*$/.exec(esm);
  if (!exported) throw new Error(`${entryFile}: expected one export list at its end`);
  const names = exported[1].split(',').map((e) => e.trim()).filter(Boolean).map((e) => {
    const [local, as = local] = e.split(/\s+as\s+/);
    return { local, as };
  });
  for (const { local } of names) {
    const id = local.replace(/\$/g, '\\$');
    const declared = new RegExp(`^(?:let|var) ${id}\\b`, 'm').test(esm);
    const assigned = [...esm.matchAll(new RegExp(`(?:^|[^.\\w$])${id}\\s*(?:=(?!=)|\\+=|-=|\\+\\+|--)`, 'gm'))].length;
    if (declared && assigned > 1) throw new Error(`${entryFile}: the export ${local} is reassigned; a copy of it would go stale (see withCodeCache)`);
  }
  const dynamicImports = (esm.match(/\bimport\((?=")/g) ?? []).length;
  const { code } = await transform(esm.slice(banner.length).replaceAll('import.meta.url', '__svlModuleUrl'), { format: 'cjs', loader: 'js', target: 'node20', logLevel: 'warning' });
  if (code.includes('import.meta')) throw new Error(`${entryFile}: import.meta left in its body`);
  const body = code.replace(/\bimport\((?=")/g, '__svlImport(');
  if ((code.match(/\bimport\(/g) ?? []).length !== dynamicImports || body.includes('import(')) throw new Error(`${entryFile}: its dynamic imports were not all handed in`);
  const externals = [...new Set([...body.matchAll(/\brequire\("(\.[^"]+)"\)/g)].map((m) => m[1]))];
  const text = `(function (exports, require, module, __svlModuleUrl, __svlImport) {"use strict";${body}\n})`;
  const bodyFile = entryFile.replace(/\.mjs$/, '-body.js');
  await writeFile(join(root, bodyFile), text);
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
  const name = entryFile.split('/').pop().replace(/\.mjs$/, '');
  const wrapper = `// Generated by scripts/bundle.mjs (withCodeCache): runs ${bodyFile.split('/').pop()}, compiled with a V8 code cache.
import { createRequire } from 'node:module';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
${externals.map((e, k) => `import * as external${k} from ${JSON.stringify(e)};`).join('\n')}

const externals = { ${externals.map((e, k) => `${JSON.stringify(e)}: external${k}`).join(', ')} };
const url = new URL(${JSON.stringify(`./${bodyFile.split('/').pop()}`)}, import.meta.url);
const file = fileURLToPath(url);
let cacheFile;
if (!process.env.NODE_DISABLE_COMPILE_CACHE) {
  try {
    cacheFile = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'svl', 'v8-code-cache', \`${name}-${hash}-\${process.versions.v8}-\${process.arch}.bin\`);
  } catch {
    /* no home directory: no cache */
  }
}
let cachedData;
try {
  if (cacheFile) cachedData = readFileSync(cacheFile);
} catch {
  /* none yet */
}
const script = new Script(readFileSync(file, 'utf8'), { filename: file, cachedData });
const nodeRequire = createRequire(url);
const module = { exports: {} };
script.runInThisContext()(module.exports, (id) => externals[id] ?? nodeRequire(id), module, import.meta.url, (specifier) => import(specifier));
let unsaved = cacheFile !== undefined && (cachedData === undefined || script.cachedDataRejected);
const save = () => {
  if (!unsaved) return;
  unsaved = false;
  try {
    mkdirSync(join(cacheFile, '..'), { recursive: true });
    const part = \`\${cacheFile}.\${process.pid}\`;
    writeFileSync(part, script.createCachedData());
    renameSync(part, cacheFile);
    // Caches of other builds, not written for a week, go.
    const dir = join(cacheFile, '..');
    for (const f of readdirSync(dir)) {
      const other = join(dir, f);
      if (f.startsWith(${JSON.stringify(`${name.replace(/-[A-Z0-9]{8}$/, '')}-`)}) && other !== cacheFile && Date.now() - statSync(other).mtimeMs > 7 * 86_400_000) rmSync(other, { force: true });
    }
  } catch {
    /* start without it next time */
  }
};
if (unsaved) {
  setTimeout(save, 1000).unref();
  process.once('exit', save);
}
export const { ${names.map(({ as }) => as).join(', ')} } = module.exports;
`;
  await writeFile(join(root, entryFile), wrapper);
  outputs[entryFile].bytes = Buffer.byteLength(wrapper);
}

const outputOf = (metafile, entryPoint) => Object.keys(metafile.outputs).find((f) => metafile.outputs[f].entryPoint === entryPoint);
// First the store's state directory, lock and log, which the CLI imports without the emulator (`svl local
// status`) and the emulator imports too: one small file (log.mjs) instead of seven.
const localLog = outputOf(local.metafile, 'dist/local/log.js');
await mergeEagerChunks(local.metafile, localOut, localLog, {
  also: [outputOf(local.metafile, 'dist/local/store/state-dir.js'), outputOf(local.metafile, 'dist/local/store/lock.js')],
});
await mergeEagerChunks(local.metafile, localOut, outputOf(local.metafile, 'dist/local/server.js'), {
  separate: [localLog],
  // The require of better-sqlite3's bundled CommonJS: its built-ins, `bindings` and the addon.
  banner: requireBanner,
});
await withCodeCache(outputOf(local.metafile, 'dist/local/server.js'), local.metafile.outputs);

const toLocal = new Map(Object.entries(localEntries).map(([name, src]) => [src, join(localOut, `${name}.mjs`)]));
toLocal.set(errorsJs, errorsJs);
const cli = await build({
  ...common,
  entryPoints: { cli: join(dist, 'cli.js') },
  packages: undefined,
  outdir: cliOut,
  plugins: [externalTo(cliOut, toLocal), ownImportMetaUrl(cliOut), packagesExternalBut(['commander', 'chalk'])],
  banner: requireBanner,
});
// Every command but --version loads commander, the program, the command context and the registry (cli.ts
// imports the three at once): one file of them instead of seven.
await mergeEagerChunks(cli.metafile, cliOut, outputOf(cli.metafile, 'dist/program.js'), {
  also: [outputOf(cli.metafile, 'dist/commands/context.js'), outputOf(cli.metafile, 'dist/commands/index.js')],
  separate: [outputOf(cli.metafile, 'dist/cli.js')],
});
await withCodeCache(outputOf(cli.metafile, 'dist/program.js'), cli.metafile.outputs);

// Paths relative to the package root, e.g. outputs["dist/bundle/local/server.mjs"].inputs["dist/local/sqs/send.js"].
const meta = {
  inputs: { ...local.metafile.inputs, ...cli.metafile.inputs },
  outputs: { ...local.metafile.outputs, ...cli.metafile.outputs },
};
await writeFile(join(cliOut, 'meta.json'), `${JSON.stringify(meta, null, 1)}\n`);

// The CLI must reach dist/local/ only through the emulator bundle's entries (one copy of the emulator).
const strays = Object.keys(cli.metafile.inputs).filter((p) => p.startsWith('dist/local/'));
if (strays.length) throw new Error(`the CLI bundle holds emulator modules (add them to localEntries): ${strays.join(', ')}`);
