/**
 * S3 metadata in SQLite (migration 6): buckets, objects, multipart uploads and parts. Pure row access;
 * it knows nothing of HTTP, and body files are the caller's (files.ts). Each write that acknowledges an
 * operation is one transaction; an object write takes an `inCommit` callback that runs inside it (the
 * notification deliveries commit with the object). Bucket rows are cached in memory: this store is the
 * only writer of s3_buckets, so the cache is dropped wherever a bucket row changes (not on the sequencer
 * bump, which nothing reads from the cache).
 */
import type { Statement } from 'better-sqlite3';
import { atomic, type Db } from '../store/db.js';

export interface BucketRow {
  name: string;
  region: string;
  created_ms: number;
  tags: string | null;
  policy: string | null;
  seq: number;
}

export interface ObjectRow {
  bucket: string;
  key: string;
  file: string;
  size: number;
  etag: string;
  modified_ms: number;
  /** JSON: the content headers stored with the object (content-type, cache-control, …). */
  headers: string;
  /** JSON: user metadata (x-amz-meta-* without the prefix, lower case). */
  metadata: string;
  checksum_algorithm: string | null;
  checksum: string | null;
  /** The body itself when small enough to live inline (then `file` is ''); not loaded by listings. */
  body?: Buffer | null;
}

/** Object columns without the inline body (listings). */
const OBJECT_META = 'bucket, key, file, size, etag, modified_ms, headers, metadata, checksum_algorithm, checksum';

export interface UploadRow {
  id: string;
  bucket: string;
  key: string;
  created_ms: number;
  headers: string;
  metadata: string;
  checksum_algorithm: string | null;
}

export interface PartRow {
  upload_id: string;
  part_number: number;
  file: string;
  size: number;
  etag: string;
  modified_ms: number;
  checksum: string | null;
}

/** Throws to refuse a write, given the object it would replace (undefined when the key is new). */
export type WriteCheck = (existing: { etag: string } | undefined) => void;

/** Runs inside an object write's transaction once the row is written, with the write's sequencer. */
export type InCommit = (seq: number) => void;

export class S3Store {
  private readonly statements = new Map<string, Statement>();
  /** name -> row (null: known not to exist). Dropped per name on every bucket write. */
  private readonly bucketCache = new Map<string, BucketRow | null>();

  constructor(private readonly db: Db) {}

  /** A prepared statement, prepared once per SQL text (preparing costs more than running these). */
  private sql(text: string): Statement {
    let st = this.statements.get(text);
    if (!st) {
      st = this.db.prepare(text);
      this.statements.set(text, st);
    }
    return st;
  }

  /** The bucket row (from the cache after the first read); its `seq` is not kept current. Do not mutate it. */
  bucket(name: string): BucketRow | undefined {
    let row = this.bucketCache.get(name);
    if (row === undefined) {
      row = (this.sql('SELECT * FROM s3_buckets WHERE name = ?').get(name) as BucketRow | undefined) ?? null;
      if (this.bucketCache.size > 10_000) this.bucketCache.clear();
      this.bucketCache.set(name, row);
    }
    return row ?? undefined;
  }

  buckets(): BucketRow[] {
    return this.sql('SELECT * FROM s3_buckets ORDER BY name').all() as BucketRow[];
  }

  createBucket(name: string, region: string, nowMs: number): void {
    this.bucketCache.delete(name);
    this.sql('INSERT INTO s3_buckets (name, region, created_ms) VALUES (?, ?, ?)').run(name, region, nowMs);
  }

  /** Deletes an empty bucket (and its notification configuration and aborted uploads); returns the part files to remove. */
  deleteBucket(name: string): string[] {
    this.bucketCache.delete(name);
    return atomic(this.db, () => {
      const files = (
        this.sql('SELECT p.file FROM s3_parts p JOIN s3_uploads u ON u.id = p.upload_id WHERE u.bucket = ?').all(name) as { file: string }[]
      ).map((r) => r.file);
      this.sql('DELETE FROM s3_parts WHERE upload_id IN (SELECT id FROM s3_uploads WHERE bucket = ?)').run(name);
      this.sql('DELETE FROM s3_uploads WHERE bucket = ?').run(name);
      this.sql('DELETE FROM s3_notifications WHERE bucket = ?').run(name);
      this.sql('DELETE FROM s3_buckets WHERE name = ?').run(name);
      return files;
    });
  }

  bucketIsEmpty(name: string): boolean {
    return !this.sql('SELECT 1 FROM s3_objects WHERE bucket = ? LIMIT 1').get(name);
  }

  setBucketField(name: string, field: 'tags' | 'policy', value: string | null): void {
    this.bucketCache.delete(name);
    this.sql(`UPDATE s3_buckets SET ${field} = ? WHERE name = ?`).run(value, name);
  }

  /** The next sequencer value of a bucket (called inside the committing transaction). */
  private nextSeq(bucket: string): number {
    const row = this.sql('UPDATE s3_buckets SET seq = seq + 1 WHERE name = ? RETURNING seq').get(bucket) as { seq: number } | undefined;
    return row?.seq ?? 0;
  }

  object(bucket: string, key: string): ObjectRow | undefined {
    return this.sql('SELECT * FROM s3_objects WHERE bucket = ? AND key = ?').get(bucket, key) as ObjectRow | undefined;
  }

  /**
   * Commits an object row (replacing any previous one) and returns the replaced row's file (to delete)
   * and the sequencer; undefined when the bucket was deleted meanwhile. `check` sees the row being
   * replaced (if any) inside the transaction and throws to refuse the write (conditional writes:
   * two racing create-only PUTs cannot both win); `inCommit` runs last in the same transaction.
   */
  putObject(row: ObjectRow, check?: WriteCheck, inCommit?: InCommit): { replaced?: string; seq: number } | undefined {
    return atomic(this.db, () => {
      const seq = this.sql('UPDATE s3_buckets SET seq = seq + 1 WHERE name = ? RETURNING seq').get(row.bucket) as { seq: number } | undefined;
      if (!seq) return undefined; // the bucket was deleted meanwhile
      const old = this.sql('SELECT file, etag FROM s3_objects WHERE bucket = ? AND key = ?').get(row.bucket, row.key) as { file: string; etag: string } | undefined;
      check?.(old);
      this.sql(
        `INSERT OR REPLACE INTO s3_objects (bucket, key, file, size, etag, modified_ms, headers, metadata, checksum_algorithm, checksum, body)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(row.bucket, row.key, row.file, row.size, row.etag, row.modified_ms, row.headers, row.metadata, row.checksum_algorithm, row.checksum, row.body ?? null);
      inCommit?.(seq.seq);
      return { replaced: old?.file, seq: seq.seq };
    });
  }

  /** Deletes an object row; returns its file (if it existed) and the sequencer. `inCommit` runs last in the same transaction. */
  deleteObject(bucket: string, key: string, inCommit?: InCommit): { file?: string; seq: number } {
    return atomic(this.db, () => {
      const old = this.sql('DELETE FROM s3_objects WHERE bucket = ? AND key = ? RETURNING file').get(bucket, key) as { file: string } | undefined;
      const seq = this.nextSeq(bucket);
      inCommit?.(seq);
      return { file: old?.file, seq };
    });
  }

  /** Objects of `bucket` with key > `after` and key starting with `prefix`, in key order (lazy). */
  *iterateObjects(bucket: string, prefix: string, after: string): Generator<ObjectRow> {
    // Keys with `prefix` are contiguous in key order: start at the prefix (or after `after`), stop at the first other key.
    const afterWins = after !== '' && after >= prefix;
    const stmt = this.sql(`SELECT ${OBJECT_META} FROM s3_objects WHERE bucket = ? AND key ${afterWins ? '>' : '>='} ? ORDER BY key`);
    for (const row of stmt.iterate(bucket, afterWins ? after : prefix) as IterableIterator<ObjectRow>) {
      if (!row.key.startsWith(prefix)) return;
      yield row;
    }
  }

  /** Every file a committed row references (the start-up sweep keeps these). */
  referencedFiles(): Set<string> {
    const rows = this.sql("SELECT file FROM s3_objects WHERE file != '' UNION ALL SELECT file FROM s3_parts").all() as { file: string }[];
    return new Set(rows.map((r) => r.file));
  }

  createUpload(row: UploadRow): void {
    this
      .sql('INSERT INTO s3_uploads (id, bucket, key, created_ms, headers, metadata, checksum_algorithm) VALUES (@id, @bucket, @key, @created_ms, @headers, @metadata, @checksum_algorithm)')
      .run(row);
  }

  uploads(bucket: string): UploadRow[] {
    return this.sql('SELECT * FROM s3_uploads WHERE bucket = ? ORDER BY key, created_ms').all(bucket) as UploadRow[];
  }

  upload(id: string): UploadRow | undefined {
    return this.sql('SELECT * FROM s3_uploads WHERE id = ?').get(id) as UploadRow | undefined;
  }

  parts(uploadId: string): PartRow[] {
    return this.sql('SELECT * FROM s3_parts WHERE upload_id = ? ORDER BY part_number').all(uploadId) as PartRow[];
  }

  /** Commits a part (replacing one with the same number); returns the replaced file, or false when the upload is gone. */
  putPart(row: PartRow): { replaced?: string } | false {
    return atomic(this.db, () => {
      if (!this.upload(row.upload_id)) return false as const;
      const old = this.sql('SELECT file FROM s3_parts WHERE upload_id = ? AND part_number = ?').get(row.upload_id, row.part_number) as { file: string } | undefined;
      this
        .sql(
          'INSERT OR REPLACE INTO s3_parts (upload_id, part_number, file, size, etag, modified_ms, checksum) VALUES (@upload_id, @part_number, @file, @size, @etag, @modified_ms, @checksum)',
        )
        .run(row);
      return { replaced: old?.file };
    });
  }

  /** Removes an upload and its parts; returns the part files to delete. */
  deleteUpload(id: string): string[] {
    return atomic(this.db, () => {
      const files = (this.sql('DELETE FROM s3_parts WHERE upload_id = ? RETURNING file').all(id) as { file: string }[]).map((r) => r.file);
      this.sql('DELETE FROM s3_uploads WHERE id = ?').run(id);
      return files;
    });
  }

  /** Completes an upload: commits the object and drops the upload in one transaction (`inCommit` last). */
  completeUpload(id: string, row: ObjectRow, check?: WriteCheck, inCommit?: InCommit): { replaced?: string; seq: number; partFiles: string[] } | undefined {
    return atomic(this.db, () => {
      if (!this.upload(id)) return undefined;
      const out = this.putObject(row, check);
      if (!out) return undefined;
      const partFiles = this.deleteUpload(id);
      inCommit?.(out.seq);
      return { ...out, partFiles };
    });
  }
}
