// S3 clients for the integration tests: path-style against the emulator's IP endpoint, and
// virtual-hosted against `http://localhost:PORT` (the SDK then calls `<bucket>.localhost`, which this
// machine's resolver may not know: the agent resolves every name to 127.0.0.1).
import http from 'node:http';
import { credentials } from './emulator.mjs';

export async function s3Client(url, { region = 'us-east-1', virtualHosted = false, ...rest } = {}) {
  const { S3Client } = await import('@aws-sdk/client-s3');
  if (!virtualHosted) return new S3Client({ endpoint: url, region, credentials, forcePathStyle: true, maxAttempts: 1, ...rest });
  const { NodeHttpHandler } = await import('@smithy/node-http-handler');
  const port = new URL(url).port;
  const httpAgent = new http.Agent({ lookup: (_host, opts, cb) => (opts?.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4)) });
  return new S3Client({
    endpoint: `http://localhost:${port}`,
    region,
    credentials,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ httpAgent }),
    ...rest,
  });
}

/** Reads an SDK v3 GetObject body into a Buffer. */
export async function bodyBytes(out) {
  return Buffer.from(await out.Body.transformToByteArray());
}
