/**
 * The worker thread of body-hasher.ts: hashes streamed upload bodies (MD5 for the ETag, SHA-256 when the
 * payload hash was signed, the requested x-amz-checksum) off the main thread, so a large PUT's hashing runs
 * on another core while the main thread reads the socket and writes the file. Messages: `start` (an upload
 * and what to compute), `data` (a transferred chunk, acknowledged with `ack` once hashed), `end`
 * (answered with `digest`), `abort`. It deliberately holds no state but the hashes of uploads in progress.
 */
import { parentPort } from 'node:worker_threads';
import { createHash, type Hash } from 'node:crypto';
import { checksummer, type ChecksumAlgorithm, type Checksummer } from './checksums.js';

interface Job {
  md5: Hash;
  sha256?: Hash;
  sum?: Checksummer;
}

export type HashRequest =
  | { op: 'start'; id: number; sha256: boolean; algorithm?: ChecksumAlgorithm }
  | { op: 'data'; id: number; buffer: ArrayBuffer; length: number }
  | { op: 'end'; id: number }
  | { op: 'abort'; id: number };

export type HashAnswer = { op: 'ack'; id: number; length: number } | { op: 'digest'; id: number; md5: string; sha256?: string; checksum?: string };

const jobs = new Map<number, Job>();
const port = parentPort!;

port.on('message', (m: HashRequest) => {
  if (m.op === 'start') {
    jobs.set(m.id, { md5: createHash('md5'), sha256: m.sha256 ? createHash('sha256') : undefined, sum: m.algorithm ? checksummer(m.algorithm) : undefined });
    return;
  }
  if (m.op === 'abort') {
    jobs.delete(m.id);
    return;
  }
  const job = jobs.get(m.id);
  if (m.op === 'data') {
    if (job) {
      const data = new Uint8Array(m.buffer, 0, m.length);
      job.md5.update(data);
      job.sha256?.update(data);
      job.sum?.update(data);
    }
    port.postMessage({ op: 'ack', id: m.id, length: m.length } satisfies HashAnswer);
    return;
  }
  if (!job) return;
  jobs.delete(m.id);
  port.postMessage({ op: 'digest', id: m.id, md5: job.md5.digest('hex'), sha256: job.sha256?.digest('hex'), checksum: job.sum?.digest() } satisfies HashAnswer);
});
