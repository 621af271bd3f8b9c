/** S3 limits (https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html). */
export const MAX_PUT_BYTES = 5 * 1024 ** 3;
export const MIN_PART_BYTES = 5 * 1024 ** 2;
export const MAX_PART_NUMBER = 10_000;
export const MAX_KEY_BYTES = 1024;
export const MAX_KEYS_DEFAULT = 1000;
export const MAX_DELETE_KEYS = 1000;
/** Largest XML/JSON configuration body read into memory (tagging, policy, delete lists, notification). */
export const MAX_CONFIG_BODY_BYTES = 2 * 1024 * 1024;
export const MAX_BUCKET_TAGS = 50;
/** The account every emulator resource belongs to, and its canonical user id as S3 shows it. */
export const OWNER_ID = '75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a';
export const OWNER_NAME = 'svl';
/** Bodies up to this size live inline in SQLite (one commit, no file); larger ones are files. */
export const INLINE_BODY_BYTES = 64 * 1024;
