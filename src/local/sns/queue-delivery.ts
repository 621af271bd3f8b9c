/**
 * What one published message hands the SQS service, made once per message rather than once per subscribed
 * queue: each SQS subscription's body with the MD5, UTF-8 size and character check SQS would compute for it
 * (sqs/send.ts CheckedBody), and the message attributes a raw delivery forwards, validated, digested and
 * serialised once (checkMessageAttributes). A Notification body differs between subscriptions only by its
 * UnsubscribeURL (envelope.ts notificationParts): the shared parts are measured and checked once, and only
 * each subscription's own part per subscription; its MD5 is of the whole body, since it differs.
 *
 * It decides nothing about delivery and sends nothing (publish.ts does, through sqs/send.ts, which still
 * applies each queue's own rules: its Policy, MaximumMessageSize and FIFO ids).
 */
import { checkBody, checkMessageAttributes, type CheckedAttributes, type CheckedBody } from '../sqs/send.js';
import { hasInvalidChars, md5Hex } from '../sqs/model.js';
import type { NotificationParts, SnsMessageAttribute } from './envelope.js';

/** One message's Notification document for any of its subscriptions: as text (HTTP, Lambda DLQ) or as a checked SQS body. */
export class NotificationBodies {
  /** What head and tail contribute, the same for every subscription; made at the first SQS body. */
  private shared: { bytes: number; invalidChars: boolean } | undefined;

  constructor(private readonly parts: NotificationParts) {}

  text(subscriptionArn: string): string {
    return this.parts.head + this.parts.unsubscribeUrl(subscriptionArn) + this.parts.tail;
  }

  /** The body for an SQS subscription: the same answers as checkBody(text(subscriptionArn)) (queue-delivery.test.ts). */
  checked(subscriptionArn: string): CheckedBody {
    const { head, tail } = this.parts;
    const url = this.parts.unsubscribeUrl(subscriptionArn);
    const s = (this.shared ??= {
      bytes: Buffer.byteLength(head, 'utf8') + Buffer.byteLength(tail, 'utf8'),
      invalidChars: hasInvalidChars(head) || hasInvalidChars(tail),
    });
    const u = urlChecks(url);
    const body = head + url + tail;
    return {
      body,
      // The whole body, one-shot: it differs per subscription. Hashing the head once and a copy of that hash
      // per subscription cost more in the server (node's Hash objects; measured in one profile, a third of
      // the deliveries each way: 201 ms, against 95 for this and 150 for checkBody of the whole text).
      md5: md5Hex(body),
      bytes: s.bytes + u.bytes,
      invalidChars: s.invalidChars || u.invalidChars,
    };
  }
}

/**
 * Size and characters of a subscription's UnsubscribeURL part, kept per string: envelope.ts hands out the
 * same string for a subscription at every publish, so the lookup is by a string whose hash V8 has kept.
 */
const urls = new Map<string, { bytes: number; invalidChars: boolean }>();
function urlChecks(url: string): { bytes: number; invalidChars: boolean } {
  let c = urls.get(url);
  if (c === undefined) {
    if (urls.size >= 10_000) urls.clear();
    urls.set(url, (c = { bytes: Buffer.byteLength(url, 'utf8'), invalidChars: hasInvalidChars(url) }));
  }
  return c;
}

/** One message's raw deliveries to SQS: each distinct body checked once, the attributes once. */
export class RawQueueBodies {
  private readonly bodies = new Map<string, CheckedBody>();
  private checkedAttributes: CheckedAttributes | undefined;

  constructor(private readonly attributes: Record<string, SnsMessageAttribute> | undefined) {}

  body(text: string): CheckedBody {
    let b = this.bodies.get(text);
    if (b === undefined) this.bodies.set(text, (b = checkBody(text)));
    return b;
  }

  /** The forwarded attributes as SQS checks them; undefined when the message has none. */
  messageAttributes(): CheckedAttributes | undefined {
    if (this.attributes === undefined) return undefined;
    return (this.checkedAttributes ??= checkMessageAttributes(this.attributes));
  }
}
