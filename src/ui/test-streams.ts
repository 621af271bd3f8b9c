/** In-memory stand-ins for stdout/stderr/stdin, used by unit tests of the ui and of renderers. */
import { PassThrough, Writable } from 'node:stream';
import type { UiIo } from './index.js';

export class Capture extends Writable {
  text = '';
  constructor(readonly isTTY = false) {
    super();
  }
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

export function fakeIo(tty = false): UiIo & { stdout: Capture; stderr: Capture } {
  const stdin = Object.assign(new PassThrough(), { isTTY: tty });
  return { stdout: new Capture(tty), stderr: new Capture(tty), stdin };
}
