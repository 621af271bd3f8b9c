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
  // Encoded straight into the frame (no intermediate Buffer for the header).
  const h = JSON.stringify(head);
  const hl = Buffer.byteLength(h, 'utf8');
  const bodyLength = typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.length;
  const out = Buffer.allocUnsafe(8 + hl + bodyLength);
  out.writeUInt32BE(hl, 0);
  out.writeUInt32BE(bodyLength, 4);
  out.write(h, 8, 'utf8');
  if (typeof body === 'string') out.write(body, 8 + hl, 'utf8');
  else body.copy(out, 8 + hl);
  return out;
}

/** The largest header a runtime may send (a few short fields). */
export const MAX_FRAME_HEADER = 64 * 1024;

/**
 * Calls `onFrame` for each complete frame arriving on `socket` (frames may span or share chunks). A frame
 * whose lengths exceed `maxHeader` / `maxBody` or whose header is not a JSON object with a string `t` is a
 * broken runtime (handler code can write to fd 3 too): `onBad` is called once with why, and nothing more
 * is read. Chunks of a frame are kept as a list and joined once, when the frame is complete (joining on
 * every chunk copies a 6 MB result quadratically).
 */
export function readFrames(socket: Socket, onFrame: (f: Frame) => void, onBad: (why: string) => void = () => socket.destroy(), maxBody = Infinity, maxHeader = MAX_FRAME_HEADER): void {
  let chunks: Buffer[] = [];
  let have = 0;
  /** Bytes of the frame being read (header included), once its 8-byte prefix is known. */
  let need = 0;
  let broken = false;
  const bad = (why: string) => {
    broken = true;
    chunks = [];
    have = 0;
    onBad(why);
  };
  socket.on('data', (chunk: Buffer) => {
    if (broken) return;
    chunks.push(chunk);
    have += chunk.length;
    while (!broken && have >= 8 && have >= need) {
      let buf = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, have);
      const hl = buf.readUInt32BE(0);
      const bl = buf.readUInt32BE(4);
      if (hl > maxHeader || bl > maxBody) return bad(`a frame of ${hl} + ${bl} bytes (at most ${maxHeader} + ${maxBody})`);
      need = 8 + hl + bl;
      if (have < need) {
        chunks = [buf];
        return;
      }
      let head: unknown;
      try {
        head = JSON.parse(buf.toString('utf8', 8, 8 + hl));
      } catch {
        head = undefined;
      }
      if (!head || typeof head !== 'object' || Array.isArray(head) || typeof (head as { t?: unknown }).t !== 'string') return bad('a frame whose header is not a JSON object with a string "t"');
      const body = buf.subarray(8 + hl, need);
      buf = buf.subarray(need);
      chunks = buf.length ? [buf] : [];
      have = buf.length;
      need = 0;
      onFrame({ head: head as Frame['head'], body });
    }
  });
}
