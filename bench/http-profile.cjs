// Preloaded with `NODE_OPTIONS=--require bench/http-profile.cjs` by `bench/http.mjs --profile DIR` (Node 20
// refuses --cpu-prof in NODE_OPTIONS, and handler processes only get the function's environment): profiles
// the process with the inspector from its start and writes `<dir>/<name>-<pid>.cpuprofile` when it exits
// normally (process.exit or an empty event loop; not when killed). Does nothing without SVL_BENCH_PROFILE_DIR.
const dir = process.env.SVL_BENCH_PROFILE_DIR;
if (dir) {
  const { Session } = require('node:inspector');
  const { mkdirSync, writeFileSync } = require('node:fs');
  const { join } = require('node:path');
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 200 });
  session.post('Profiler.start');
  process.on('exit', () => {
    // Same-thread inspector sessions answer synchronously: the profile is written before the process ends.
    session.post('Profiler.stop', (err, r) => {
      if (err) return;
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${process.env.SVL_BENCH_PROFILE_NAME || 'node'}-${process.pid}.cpuprofile`), JSON.stringify(r.profile));
    });
  });
}
