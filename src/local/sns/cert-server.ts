/**
 * The https listener that serves the SNS signing certificate, so that SigningCertURL can be an https URL
 * as standard verifiers require (sns-validator fetches the certificate over https only). It listens on
 * an ephemeral port of the emulator's host, with the signing certificate itself as its TLS certificate
 * (self-signed, naming localhost, 127.0.0.1 and ::1): a client trusts it by adding that certificate to
 * its CAs, e.g. NODE_EXTRA_CA_CERTS=<state dir>/sns-signing-cert.pem.
 *
 * Deliberately does not serve anything else (the APIs stay on the emulator's http port, which serves the
 * same certificate at the same path), and does not keep its port across restarts.
 */
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { SIGNING_CERT_PATH, registerCertPort, signingCertificatePem, signingPrivateKeyPem } from './envelope.js';

export interface CertServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startCertServer(host: string): Promise<CertServer> {
  const server = createServer({ key: signingPrivateKeyPem(), cert: signingCertificatePem() }, (req, res) => {
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
        unregister();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
