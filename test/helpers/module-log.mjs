// Preloaded with `node --import` into a process under test: appends the URL of every svl module (dist/)
// and node: built-in the process imports to the file named by SVL_MODULE_LOG, one a line. Written
// synchronously as each is loaded, so a test that reads the file after an answer sees everything loaded
// before that answer (a pipe's data could arrive after the answer).
import { register } from 'node:module';

register(
  `data:text/javascript,${encodeURIComponent(`
    import { appendFileSync } from 'node:fs';
    const file = process.env.SVL_MODULE_LOG;
    export async function load(url, context, next) {
      const r = await next(url, context);
      if (file && (url.includes('/dist/') || url.startsWith('node:'))) appendFileSync(file, url + '\\n');
      return r;
    }
  `)}`,
);
