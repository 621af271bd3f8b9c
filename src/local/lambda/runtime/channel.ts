/**
 * The private channel between the emulator and svl's own Node runtime client (node-bootstrap.ts): a
 * socketpair on the handler process's fd 3 carrying length-prefixed frames, one write per message, instead
 * of an HTTP request and reply per step of the Runtime API. It carries exactly what the Runtime API carries:
 *
 *   emulator -> runtime  { t: 'invoke', id, deadline, arn, trace, clientContext? } + the event
 *   runtime -> emulator  { t: 'next' }                                          (GET …/invocation/next)
 *                        { t: 'response', id, next?, maxRssKb?, waited? } + the result (POST …/{id}/response)
 *                        { t: 'error', id, errorType, next?, maxRssKb?, waited? } + the error JSON (POST …/{id}/error)
 *                        { t: 'init-error', errorType } + the error JSON         (POST …/init/error)
 *
 * `next: true` on a result asks for the next invocation in the same write. `maxRssKb` is the process's own
 * peak resident set (getrusage), so the REPORT line needs no /proc read. `waited` says whether the handler
 * let the event loop turn (awaited I/O or a timer) before it settled: the pool's hint whether more
 * processes than cores would help (a handler that waits) or not (one that only computes).
 *
 * Frame: u32 BE header length, u32 BE body length, the header (JSON, UTF-8), the body (bytes). The Node
 * runtime client has its own copy of this codec: it imports nothing of svl. This file does not decide
 * anything about invocations (worker.ts does); it does not replace the HTTP Runtime API, which every other
 * runtime (python, provided.*) and anyone else keeps using.
 */
import type { Socket } from 'node:net';

export interface Frame {
  head: Record<string, unknown> & { t: string };
  body: Buffer;
}

/** Fd of the channel in the handler process, and the variable that tells the runtime client (it removes it from its env). */
export const CHANNEL_FD = 3;
export const CHANNEL_ENV = '_SVL_RUNTIME_CHANNEL_FD';

/** One frame as one buffer. */
export function encodeFrame(head: Record<string, unknown>, body: Buffer | string = ''): Buffer {
  const h = Buffer.from(JSON.stringify(head), 'utf8');
  const bodyLength = typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.length;
  const out = Buffer.allocUnsafe(8 + h.length + bodyLength);
  out.writeUInt32BE(h.length, 0);
  out.writeUInt32BE(bodyLength, 4);
  h.copy(out, 8);
  if (typeof body === 'string') out.write(body, 8 + h.length, 'utf8');
  else body.copy(out, 8 + h.length);
  return out;
}

/** Calls `onFrame` for each complete frame arriving on `socket` (frames may span or share chunks). */
export function readFrames(socket: Socket, onFrame: (f: Frame) => void): void {
  let buf: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    while (buf.length >= 8) {
      const hl = buf.readUInt32BE(0);
      const bl = buf.readUInt32BE(4);
      if (buf.length < 8 + hl + bl) break;
      const head = JSON.parse(buf.toString('utf8', 8, 8 + hl)) as Frame['head'];
      const body = buf.subarray(8 + hl, 8 + hl + bl);
      buf = buf.subarray(8 + hl + bl);
      onFrame({ head, body });
    }
  });
}
