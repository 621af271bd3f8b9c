/** Journal events for the trace unit tests (src/domain/trace.test.ts, src/commands/trace/render.test.ts). Not shipped behaviour. */
import type { JournalEvent } from './trace.js';

const Q = 'arn:aws:sqs:us-east-1:000000000000:';
const FN = 'arn:aws:lambda:us-east-1:000000000000:function:worker';
const ev = (seq: number, type: string, more: Partial<JournalEvent> = {}): JournalEvent => ({ seq, timeMs: 1000 + seq * 10, type, ...more });

/** An ESM-consumed message that fails once, then dead-letters. */
export const esmFailure: JournalEvent[] = [
  ev(1, 'sqs.sent', { resource: `${Q}work`, id: 'm1' }),
  ev(2, 'sqs.received', { resource: `${Q}work`, id: 'm1', cause: 1, data: { receiveCount: 1, requestId: 'r1', consumer: 'esm:1234abcd-0000' } }),
  ev(3, 'lambda.invoked', { resource: FN, id: 'r1', cause: 2, data: { kind: 'sqs 1', messageIds: ['m1'] } }),
  ev(4, 'lambda.completed', { resource: FN, id: 'r1', cause: 3, data: { outcome: 'error', durationMs: 12, errorType: 'TypeError', error: '{"errorType":"TypeError","errorMessage":"boom"}', logTail: 'START RequestId: r1\n2026-01-01T00:00:00.000Z\t00000000-0000-0000-0000-000000000001\tINFO\tabout to fail\nEND RequestId: r1' } }),
  ev(5, 'sqs.visibility-expired', { resource: `${Q}work`, id: 'm1', cause: 2 }),
  ev(6, 'sqs.dead-lettered', { resource: `${Q}work`, id: 'm1', cause: 5, data: { deadLetterQueue: `${Q}work-dlq`, receiveCount: 1 } }),
];
