// Shared bits of the benchmark scripts: free ports, waiting for a server, and the report writer
// (Markdown on stdout, plus bench/results/<name>.json and .md).
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function waitForHttp(url, timeoutMs = 15_000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

export const fmt = (n) => (n >= 100 ? String(Math.round(n)) : String(Math.round(n * 100) / 100));

export function quantile(sorted, q) {
  const i = Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
  return sorted[Math.max(0, i)];
}

export function writeReport(name, data, lines) {
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const stamped = { name, at: new Date().toISOString(), node: process.versions.node, ...data };
  writeFileSync(`${dir}${name}.json`, JSON.stringify(stamped, null, 2));
  writeFileSync(`${dir}${name}.md`, lines.join('\n') + '\n');
  process.stdout.write(lines.join('\n') + '\n');
}
