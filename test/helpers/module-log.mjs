// Preloaded with `node --import` into a process under test: writes `svl-module-loaded <url>` on stderr for
// every svl module (dist/) and node: built-in the process imports, so a test can tell what start-up loaded and what came later.
import { register } from 'node:module';

register(
  `data:text/javascript,${encodeURIComponent(`
    import { writeSync } from 'node:fs';
    export async function load(url, context, next) {
      const r = await next(url, context);
      if (url.includes('/dist/') || url.startsWith('node:')) writeSync(2, 'svl-module-loaded ' + url + '\\n');
      return r;
    }
  `)}`,
);
