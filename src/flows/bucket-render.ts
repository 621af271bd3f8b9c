/**
 * A spec's buckets as lines of the spec graph `svl init` and `svl apply` print under the topic's tree:
 * `up-bucket (S3 bucket)` and one `└─▶ s3:ObjectCreated:* in/*.jpg -> up-work` per notification. Pure
 * text; styling comes from the caller's Style.
 */
import type { BucketSpec } from './bucket-spec.js';

interface Styler {
  bold(s: string): string;
  dim(s: string): string;
  cyan(s: string): string;
}

export function bucketSpecLines(b: BucketSpec, s: Styler): string[] {
  const lines = [`${s.bold(b.name)} ${s.dim('(S3 bucket)')}`];
  b.notifications.forEach((n, i) => {
    const branch = i === b.notifications.length - 1 ? '└─' : '├─';
    const filter = n.prefix !== undefined || n.suffix !== undefined ? s.cyan(` [${n.prefix ?? ''}*${n.suffix ?? ''}]`) : '';
    lines.push(`${branch}▶ ${n.kind === 'function' ? `λ ${n.target}` : n.kind === 'topic' ? `topic ${n.target}` : n.target} ${s.dim(n.events.join(','))}${filter}`);
  });
  return lines;
}
