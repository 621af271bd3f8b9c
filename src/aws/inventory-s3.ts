/**
 * Discovery of S3 buckets for `svl status`, `svl graph`: the account's buckets (ListBuckets, in the
 * target's region on AWS), their tags (GetBucketTagging) to know which flow owns them, and - for the
 * buckets a flow owns - their notification configurations (bucket -> queue / topic / function edges).
 * Read-only. A target without S3 (an older emulator) or a denied ListBuckets leaves buckets out and says
 * why; a bucket that disappears or answers with an error (another region, no access) counts as untagged.
 * The pure derivation (which buckets belong to a flow) is bucketsOfFlow.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { canonicalNotifications, type CanonicalNotification } from '../flows/buckets.js';
import { s3Sdk } from './sdk.js';
import { FLOW_TAG } from './inventory-model.js';

export interface BucketInfo {
  name: string;
  arn: string;
  flow: string | null;
  tags: Record<string, string>;
  /** Only read for buckets that carry a flow tag (others: empty). */
  notifications: CanonicalNotification[];
}

export interface BucketDiscovery {
  buckets: BucketInfo[];
  available: boolean;
  reason?: string;
}

type Limit = <T>(fn: () => Promise<T>) => Promise<T>;

export async function discoverBuckets(s3: S3Client, opts: { region?: string; aws: boolean; limit: Limit; signal?: AbortSignal; onUnreadable?: (u: { bucket: string; reason: string }) => void }): Promise<BucketDiscovery> {
  const m = s3Sdk();
  const names: string[] = [];
  try {
    let token: string | undefined;
    do {
      const page = await opts.limit(() =>
        s3.send(new m.ListBucketsCommand({ ContinuationToken: token, ...(opts.aws && opts.region ? { BucketRegion: opts.region } : {}) }), { abortSignal: opts.signal }),
      );
      names.push(...(page.Buckets ?? []).map((b) => b.Name ?? '').filter(Boolean));
      token = page.ContinuationToken;
    } while (token);
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    const e = err as { name?: string; message?: string };
    return { buckets: [], available: false, reason: `${e.name ?? 'Error'}: ${e.message ?? ''}`.trim() };
  }
  const buckets = await Promise.all(
    names.map(async (name): Promise<BucketInfo> => {
      const info: BucketInfo = { name, arn: `arn:aws:s3:::${name}`, flow: null, tags: {}, notifications: [] };
      try {
        const t = await opts.limit(() => s3.send(new m.GetBucketTaggingCommand({ Bucket: name }), { abortSignal: opts.signal }));
        info.tags = Object.fromEntries((t.TagSet ?? []).map((x) => [x.Key ?? '', x.Value ?? '']));
      } catch (err) {
        if (opts.signal?.aborted) throw err;
        // NoSuchTagSet or deleted meanwhile: untagged. Anything else (no access, another region): reported.
        const e = err as { name?: string; message?: string };
        if (e.name !== 'NoSuchTagSet' && e.name !== 'NoSuchBucket') opts.onUnreadable?.({ bucket: name, reason: `s3:GetBucketTagging failed: ${e.name ?? 'Error'}: ${e.message ?? ''}`.trim() });
        return info;
      }
      info.flow = info.tags[FLOW_TAG] ?? null;
      if (info.flow === null) return info;
      try {
        const cfg = await opts.limit(() => s3.send(new m.GetBucketNotificationConfigurationCommand({ Bucket: name }), { abortSignal: opts.signal }));
        info.notifications = canonicalNotifications(cfg);
      } catch (err) {
        if (opts.signal?.aborted) throw err;
        const e = err as { name?: string; message?: string };
        opts.onUnreadable?.({ bucket: name, reason: `s3:GetBucketNotificationConfiguration failed: ${e.name ?? 'Error'}: ${e.message ?? ''}`.trim() });
      }
      return info;
    }),
  );
  return { buckets: buckets.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)), available: true };
}

/** The buckets a flow owns (tagged with it). */
export const bucketsOfFlow = (buckets: readonly BucketInfo[] | undefined, flow: string): BucketInfo[] => (buckets ?? []).filter((b) => b.flow === flow);
