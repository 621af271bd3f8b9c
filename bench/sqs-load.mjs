// The lean SQS load client of bench/cpu.mjs, run as its own process (forked) so that its CPU is not the
// server's and is measured on its own: SQS JSON 1.0 requests, SigV4-signed when sent, over keep-alive
// HTTP/1.1 through bench/aws-http.mjs (node:net; no SDK, no middleware, no MD5 checks of the answers). The
// SDK client costs several times the emulator's CPU per message, so on a 2-core machine an SDK-driven
// throughput measures the client; this one shows what a server does when the client is not the limit.
// The requests are the SDK phases' own: SendMessageBatch of 10 (same bodies and attributes),
// ReceiveMessage of up to 10 then DeleteMessageBatch of what came, and a plain repeated call (`call`, e.g.
// GetQueueUrl: the per-request cost of the HTTP path). It deliberately does not tolerate errors: any
// non-2xx answer fails the run.
//
// Protocol (IPC with the parent): receives { url, connections, tag }, answers { ready: true }; then any
// number of phase messages { phase: 'send' | 'recv' | 'call', queueUrl, n, seconds, fifo, action, input },
// each answered with { done, start, end (epoch ms), cpuUs (this process, over the phase) }; { phase: 'exit' }
// ends it.
import { Pool, sqsCall } from './aws-http.mjs';
import { benchBatchEntries } from './report.mjs';


process.once('message', ({ url: u, connections, tag }) => {
  const url = new URL(u);
  const pool = new Pool(url, connections);
  const loops = (body) => Promise.all(Array.from({ length: connections }, body));
  const phases = {
    async send({ queueUrl, n, seconds, fifo }) {
      let next = 0;
      let done = 0;
      const end = performance.now() + seconds * 1000;
      await loops(async () => {
        while (next < n && performance.now() < end) {
          const base = next;
          next += 10;
          const Entries = benchBatchEntries(base, fifo, tag);
          const r = await sqsCall(pool, url, 'SendMessageBatch', { QueueUrl: queueUrl, Entries });
          done += r.Successful?.length ?? 0;
        }
      });
      return done;
    },
    async recv({ queueUrl, n, seconds }) {
      let done = 0;
      let empty = 0;
      const end = performance.now() + seconds * 1000;
      await loops(async () => {
        while (done < n && performance.now() < end && empty < 10) {
          const r = await sqsCall(pool, url, 'ReceiveMessage', { QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 300 });
          const msgs = r.Messages ?? [];
          if (msgs.length === 0) {
            empty++;
            continue;
          }
          await sqsCall(pool, url, 'DeleteMessageBatch', { QueueUrl: queueUrl, Entries: msgs.map((x, i) => ({ Id: `d${i}`, ReceiptHandle: x.ReceiptHandle })) });
          done += msgs.length;
        }
      });
      return done;
    },
    async call({ action, input, n, seconds }) {
      let next = 0;
      const end = performance.now() + seconds * 1000;
      await loops(async () => {
        while (next < n && performance.now() < end) {
          next++;
          await sqsCall(pool, url, action, input);
        }
      });
      return next;
    },
  };
  process.on('message', async (m) => {
    if (m.phase === 'exit') {
      pool.close();
      process.exit(0);
    }
    try {
      const c0 = process.cpuUsage();
      const start = performance.timeOrigin + performance.now();
      const done = await phases[m.phase](m);
      const c = process.cpuUsage(c0);
      process.send({ done, start, end: performance.timeOrigin + performance.now(), cpuUs: c.user + c.system });
    } catch (err) {
      process.send({ error: String(err?.message ?? err) }, () => process.exit(1));
    }
  });
  process.send({ ready: true });
});
