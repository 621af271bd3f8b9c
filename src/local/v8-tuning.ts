/**
 * V8 settings for a process that exists to run the emulator: `svl local start`, in the foreground or as the
 * detached child. Never applied where an emulator is embedded (svl/testing runs one inside the user's own test
 * process, whose V8 is theirs).
 *
 * TurboFan's inlining budget (`--max-inlined-bytecode-size-cumulative`, 920 by default) is cut to
 * INLINING_BUDGET. The emulator's request paths are deep call trees (a SendMessageBatch handler reaches the
 * SQS store, the journal and the group commit), so with the default budget one optimized function held most of
 * a path: compiled in 15-30 ms of CPU (`--trace-opt`), and thrown away whole by any deoptimization anywhere in
 * it, as happens whenever the traffic changes shape (a queue runs empty, a new queue, another operation). In
 * bench/cpu.mjs's SQS phases that recompilation landed in the measured phase after a warm-up: 50-54 ms of
 * TurboFan compiles in a 20,000-message send phase with the default, 25-33 ms with 300; the whole warm-up
 * compiled 520 ms with the default, 330-400 ms with 300. Server CPU per message, base and 300 run alternately
 * (3 pairs of bench/cpu.mjs --rounds 1, SDK client): send 19 -> 18 µs, receive+delete 33 -> 30 µs, publish
 * to 10 subscribers 310 -> 305 µs (medians); with the lean client, which measures the steady state, no worse
 * (send 14.3-15.0 -> 13.7-14.3 µs, receive+delete 21-22.3 -> 21.3-22.7 µs). 150, 460 and 600 measured within
 * the same noise; 300 compiled least.
 *
 * Only on the Node majors it was checked on (20, 24): V8 prints an error for a flag it does not know, and the
 * budget's meaning may change with V8. Deliberately does not touch the garbage collector, heap sizes or any
 * other tier.
 */
import { setFlagsFromString } from 'node:v8';

export const INLINING_BUDGET = 300;
const CHECKED_MAJORS = new Set([20, 24]);

/** Sets the emulator's V8 flags when the running Node is one they were checked on; whether it did. */
export function tuneV8ForEmulator(nodeVersion: string = process.versions.node): boolean {
  if (!CHECKED_MAJORS.has(Number(nodeVersion.split('.')[0]))) return false;
  setFlagsFromString(`--max-inlined-bytecode-size-cumulative=${INLINING_BUDGET}`);
  return true;
}
