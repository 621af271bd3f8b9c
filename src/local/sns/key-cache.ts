/**
 * The per-user cache of the SNS signing key and its certificate for in-memory emulators (svl/testing,
 * `svl local --in-memory`): an RSA-2048 generation costs 100-300 ms of CPU, paid by every test process
 * otherwise. Kept in `$SVL_CACHE_DIR`, else `$XDG_CACHE_HOME/svl`, else `~/.cache/svl` (directory 0700,
 * files 0600), written atomically (temporary file + rename), so concurrent test processes each read a
 * whole pair or none. A pair that is unreadable, corrupt or mismatched reads as absent (and is replaced).
 * `SVL_SIGNING_KEY_CACHE=0` turns it off: every process then generates its own key, as before.
 *
 * Deliberately does not: serve durable emulators (their key lives in their state directory, see
 * envelope.ts), expire keys, or lock: two processes generating at once both write, the last rename wins
 * and each keeps signing with the key it has (a certificate is served by the process that signed).
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const KEY_FILE = 'sns-signing-key.pem';
export const CERT_FILE = 'sns-signing-cert.pem';

/** The cache directory, or undefined when caching is off (`SVL_SIGNING_KEY_CACHE=0`) or no home is known. */
export function keyCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const flag = env.SVL_SIGNING_KEY_CACHE?.trim().toLowerCase();
  if (flag === '0' || flag === 'false' || flag === 'off' || flag === 'no') return undefined;
  if (env.SVL_CACHE_DIR) return env.SVL_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'svl');
  let home: string;
  try {
    home = homedir();
  } catch {
    return undefined;
  }
  return home ? join(home, '.cache', 'svl') : undefined;
}

export interface CachedKey {
  privateKey: KeyObject;
  privatePem: string;
  certPem: string;
}

/** The cached pair, or undefined when there is none or it is unusable (unreadable, corrupt, not a pair). */
export function readCachedKey(dir: string | undefined): CachedKey | undefined {
  if (!dir) return undefined;
  try {
    const privatePem = readFileSync(join(dir, KEY_FILE), 'utf8');
    const certPem = readFileSync(join(dir, CERT_FILE), 'utf8');
    const privateKey = createPrivateKey(privatePem);
    if (privateKey.asymmetricKeyType !== 'rsa') return undefined;
    if (!new X509Certificate(certPem).checkPrivateKey(privateKey)) return undefined;
    return { privateKey, privatePem, certPem };
  } catch {
    return undefined;
  }
}

/** Stores a pair (best effort: an unwritable cache only means the next process generates its own key). */
export function writeCachedKey(privatePem: string, certPem: string, dir: string | undefined): void {
  if (!dir) return;
  const suffix = `.${process.pid}.${Date.now().toString(36)}.tmp`;
  const tmps: string[] = [];
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // The certificate first: a reader that sees the new key with the old certificate rejects the pair
    // (checkPrivateKey) and regenerates, never signs with a key its certificate does not match.
    for (const [name, text] of [[CERT_FILE, certPem], [KEY_FILE, privatePem]] as const) {
      const tmp = join(dir, name + suffix);
      tmps.push(tmp);
      writeFileSync(tmp, text, { mode: 0o600 });
      renameSync(tmp, join(dir, name));
    }
  } catch {
    for (const tmp of tmps) rmSync(tmp, { force: true });
  }
}
