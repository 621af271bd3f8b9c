/**
 * GET/PUT `?notification` (Get/PutBucketNotificationConfiguration): reads the request (body, the
 * `x-amz-skip-destination-validation` header) and hands it to the bucket's S3Notifier (delivery.ts), which
 * the emulator binds to its S3Service with `attachNotifications`. It deliberately does no checking itself.
 * The dispatcher has already checked that the bucket exists.
 */
import type { S3Context, S3Reply } from './http.js';
import type { S3Service } from './service.js';
import { MAX_CONFIG_BODY_BYTES } from './constants.js';
import { S3Notifier } from './delivery.js';
import { EMPTY_CONFIG, serializeNotificationConfiguration } from './notifications.js';

const notifiers = new WeakMap<S3Service, S3Notifier>();

/** Makes `notifier` the S3 service's event sink and the handler of its `?notification` requests. */
export function attachNotifications(s3: S3Service, notifier: S3Notifier): void {
  notifiers.set(s3, notifier);
  s3.attachEventSink(notifier);
}

export async function getNotificationConfiguration(ctx: S3Context): Promise<S3Reply> {
  const n = notifiers.get(ctx.s3);
  return { body: n ? n.getXml(ctx.bucket!) : serializeNotificationConfiguration(EMPTY_CONFIG) };
}

export async function putNotificationConfiguration(ctx: S3Context): Promise<S3Reply> {
  const body = (await ctx.readBody(MAX_CONFIG_BODY_BYTES)).toString('utf8');
  const n = notifiers.get(ctx.s3);
  if (!n) throw new Error('S3 notifications are not attached to this S3 service');
  const skip = String(ctx.req.headers['x-amz-skip-destination-validation'] ?? '').toLowerCase() === 'true';
  n.put(ctx.bucket!, body, { skipDestinationValidation: skip, requestId: ctx.requestId, hostId: ctx.hostId });
  return {};
}
