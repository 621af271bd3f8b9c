// A tiny HTTP proxy that puts a fixed round trip between a client and svl's emulator, the way a region
// away does: each request is held `ms / 2` before it is forwarded, and each response `ms / 2` before it
// is returned (so a request/response pair costs `ms` more, whatever else is in flight). Keep-alive both
// ways, bodies streamed untouched. For benchmarks only: no TLS, no error pages beyond a 502.
import http from 'node:http';

export async function startDelayProxy(upstream, ms) {
  const target = new URL(upstream);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const half = ms / 2;
  const calls = {};
  const server = http.createServer((req, res) => {
    const op = String(req.headers['x-amz-target'] ?? req.method).replace(/^AmazonSQS\./, '');
    calls[op] = (calls[op] ?? 0) + 1;
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      setTimeout(() => {
        const up = http.request(
          { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent },
          (r) => {
            const body = [];
            r.on('data', (c) => body.push(c));
            r.on('end', () =>
              setTimeout(() => {
                res.writeHead(r.statusCode ?? 502, r.headers);
                res.end(Buffer.concat(body));
              }, half),
            );
          },
        );
        up.on('error', (err) => {
          res.writeHead(502);
          res.end(String(err));
        });
        up.end(Buffer.concat(chunks));
      }, half);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    /** Requests forwarded so far, by operation (X-Amz-Target without the service prefix, else the method). */
    calls,
    close: () =>
      new Promise((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(resolve);
      }),
  };
}
