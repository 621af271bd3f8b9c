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

/**
 * One raw HTTP request (node:http, so headers such as Expect and aws-chunked bodies are sent exactly as
 * given); resolves { status, headers, body (string), continued (whether 100 Continue came) }.
 * With `expectContinue`, the body is written only after the server's 100 Continue.
 */
export function rawRequest(url, { method = 'GET', path = '/', headers = {}, body, expectContinue = false } = {}) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    let continued = false;
    const req = http.request({ host: hostname, port, method, path, headers: expectContinue ? { ...headers, expect: '100-continue' } : headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), continued }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (expectContinue) {
      req.on('continue', () => {
        continued = true;
        req.end(body);
      });
    } else req.end(body);
  });
}

/** The text of `<name>` in an XML document (first occurrence), undefined when absent. */
export const xmlText = (xml, name) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
