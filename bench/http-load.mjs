// The load generator of bench/http.mjs, run as its own process (forked) so that the client's CPU is not
// the server's and is measured on its own: node:http with one keep-alive agent, `connections` requests in
// flight, nothing else (no SDK, no signing, no retries). The same client drives every target (an HTTP API
// GET, serverless-offline's GET, Lambda's Invoke POST), so the figures compare servers, not clients.
//
// Protocol (IPC with the parent): receives { port, host, method, path, body, headers, connections, requests,
// warm }; warms up (`warm` requests at the same concurrency: sockets and handler processes), sends
// { warmed: true }, waits for { go: true }, runs `requests` requests, sends { samples (ms, sorted), seconds,
// cpuMs (this process's user+system for the measured phase) }, and exits. Deliberately does not retry or
// tolerate errors: any non-2xx answer fails the run.
import { Agent, request } from 'node:http';

process.once('message', async (job) => {
  const agent = new Agent({ keepAlive: true, maxSockets: job.connections });
  const body = job.body === undefined ? undefined : Buffer.from(job.body);
  const headers = { host: job.host, ...job.headers, ...(body && { 'content-length': String(body.length) }) };
  const once = () =>
    new Promise((resolve, reject) => {
      const t0 = performance.now();
      const req = request({ host: '127.0.0.1', port: job.port, method: job.method, path: job.path, agent, headers }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode >= 200 && res.statusCode < 300 ? resolve(performance.now() - t0) : reject(new Error(`HTTP ${res.statusCode} for ${job.method} ${job.path}`))));
      });
      req.on('error', reject);
      req.end(body);
    });
  const run = async (n, samples) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: job.connections }, async () => {
        while (next++ < n) {
          const ms = await once();
          samples?.push(ms);
        }
      }),
    );
  };
  try {
    await run(job.warm);
    process.send({ warmed: true });
    await new Promise((r) => process.once('message', r));
    const samples = [];
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await run(job.requests, samples);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    samples.sort((a, b) => a - b);
    process.send({ samples, seconds, cpuMs: (cpu.user + cpu.system) / 1000 }, () => process.exit(0));
  } catch (err) {
    process.send({ error: String(err?.message ?? err) }, () => process.exit(1));
  }
});
