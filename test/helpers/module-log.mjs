// Preloaded with `node --import` into a process under test: appends the URL of every svl module (dist/)
// and node: built-in the process imports to the file named by SVL_MODULE_LOG, one a line. Written
// synchronously as each is loaded, so a test that reads the file after an answer sees everything loaded
// before that answer (a pipe's data could arrive after the answer).
//
// bin/svl.js runs the esbuild bundle (dist/bundle/, scripts/bundle.mjs), whose files each hold several of
// tsc's dist/ modules: loading one logs its own URL, then the URL of every dist/ module it holds (from
// dist/bundle/meta.json, esbuild's record of what went into which file), so tests name modules as in dist/.
import { register } from 'node:module';

register(
  `data:text/javascript,${encodeURIComponent(`
    import { appendFileSync, readFileSync } from 'node:fs';
    const file = process.env.SVL_MODULE_LOG;
    const metas = new Map();
    function held(url) {
      const at = url.indexOf('/dist/bundle/');
      if (at === -1) return [];
      const root = url.slice(0, at + 1);
      if (!metas.has(root)) metas.set(root, JSON.parse(readFileSync(new URL('dist/bundle/meta.json', root), 'utf8')));
      const out = metas.get(root).outputs[url.slice(root.length)];
      if (!out) throw new Error('module-log: ' + url + ' is not in dist/bundle/meta.json (bundle older than its files?)');
      return Object.keys(out.inputs).map((p) => root + p);
    }
    export async function load(url, context, next) {
      const r = await next(url, context);
      if (file && (url.includes('/dist/') || url.startsWith('node:'))) appendFileSync(file, [url, ...held(url)].join('\\n') + '\\n');
      return r;
    }
  `)}`,
);
