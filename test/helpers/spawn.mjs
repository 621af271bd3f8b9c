// A long-running `svl` (tail, redrive) spawned in the background: wait for a line on stderr or stdout,
// send it a signal, and collect what it printed when it exits.
import { spawn } from 'node:child_process';
import { bin, cleanEnv, root } from './cli.mjs';

export function spawnSvl(args, { env = {}, cwd = root, timeoutMs = 30_000, input } = {}) {
  const child = spawn(process.execPath, [bin, ...args], { cwd, env: cleanEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.end(input);
  let stdout = '';
  let stderr = '';
  const watchers = new Set();
  const check = () => {
    for (const w of watchers) {
      if (w.re.test(w.stream === 'stdout' ? stdout : stderr)) {
        watchers.delete(w);
        w.resolve();
      }
    }
  };
  child.stdout.on('data', (d) => ((stdout += d), check()));
  child.stderr.on('data', (d) => ((stderr += d), check()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      for (const w of watchers) w.reject(new Error(`svl ${args.join(' ')} exited (${code ?? signal}) before printing ${w.re}\nstdout: ${stdout}\nstderr: ${stderr}`));
      watchers.clear();
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return {
    child,
    done,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    /** Resolves once `re` matches everything printed so far on the stream. */
    waitFor(re, stream = 'stderr') {
      return new Promise((resolve, reject) => {
        const w = { re, stream, resolve, reject };
        watchers.add(w);
        check();
      });
    },
    kill(signal) {
      child.kill(signal);
      return done;
    },
  };
}

/** The emulator's side-effect-free view of a queue. */
export async function peek(url, queue) {
  const res = await fetch(`${url}/_svl/sqs/peek?queue=${encodeURIComponent(queue)}&limit=10000`);
  if (!res.ok) throw new Error(`peek ${queue}: ${res.status}`);
  return (await res.json()).Messages;
}

export const ndjson = (text) => text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
