/**
 * The https listener that serves the SNS signing certificate, so that SigningCertURL can be an https URL
 * as standard verifiers require (sns-validator fetches the certificate over https only). It listens on
 * an ephemeral port of the emulator's host with its own TLS key and certificate (signing-key.ts: ECDSA
 * P-256, self-signed, naming localhost, 127.0.0.1 and ::1; the signing key is RSA-1024, which TLS clients
 * refuse): a client trusts it by adding that certificate to its CAs, e.g. NODE_EXTRA_CA_CERTS=<state
 * dir>/sns-https-cert.pem, or the file the emulator's http port serves at HTTPS_CERT_PATH.
 *
 * Lazy: the port is bound at start (a plain TCP listener, so SigningCertURL can name it), but node:https,
 * the TLS server and with it the TLS key are only loaded and made when the first connection arrives. The
 * listener pauses each socket on connect (nothing is read from it) until the TLS server takes it over.
 *
 * Deliberately does not serve anything else (the APIs stay on the emulator's http port, which serves the
 * same certificate at the same path), and does not keep its port across restarts.
 */
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import type { Server } from 'node:https';
import { registerCertPort } from './envelope.js';
import { SIGNING_CERT_PATH, httpsCredentials, signingCertificatePem } from './signing-key.js';

export interface CertServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startCertServer(host: string): Promise<CertServer> {
  let https: Promise<Server> | undefined;
  let closed = false;
  const sockets = new Set<Socket>();
  const makeTlsServer = async (): Promise<Server> => {
    const { createServer } = await import('node:https');
    const server = createServer(httpsCredentials(), (req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method === 'GET' && path === SIGNING_CERT_PATH) {
        res.writeHead(200, { 'content-type': 'application/x-pem-file' });
        res.end(signingCertificatePem());
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('Not found\n');
      }
    });
    server.keepAliveTimeout = 5_000;
    return server;
  };
  const server = createTcpServer({ pauseOnConnect: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    void (https ??= makeTlsServer()).then((tls) => {
      if (closed || socket.destroyed) socket.destroy();
      else tls.emit('connection', socket);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const unregister = registerCertPort(port);
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        closed = true;
        unregister();
        server.close(() => resolve());
        void https?.then((tls) => tls.closeAllConnections());
        for (const s of sockets) s.destroy();
      }),
  };
}
