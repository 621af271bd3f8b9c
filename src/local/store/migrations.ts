/** Schema migrations, applied in order; `PRAGMA user_version` records how many ran. Never edit a shipped one. */
export const MIGRATIONS: string[] = [
  // 1: SQS
  `
  CREATE TABLE sqs_queues (
    name TEXT PRIMARY KEY,
    fifo INTEGER NOT NULL,
    attributes TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '{}',
    permissions TEXT NOT NULL DEFAULT '{}',
    created_ms INTEGER NOT NULL,
    modified_ms INTEGER NOT NULL,
    last_purge_ms INTEGER,
    seq_counter INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE sqs_deleted_queues (
    name TEXT PRIMARY KEY,
    deleted_ms INTEGER NOT NULL
  );
  CREATE TABLE sqs_messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    queue TEXT NOT NULL,
    id TEXT NOT NULL,
    body TEXT NOT NULL,
    md5_body TEXT NOT NULL,
    attrs TEXT,
    md5_attrs TEXT,
    sys_attrs TEXT,
    md5_sys TEXT,
    group_id TEXT,
    dedup_id TEXT,
    sequence_number TEXT,
    sender_id TEXT NOT NULL,
    sent_ms INTEGER NOT NULL,
    visible_ms INTEGER NOT NULL,
    inflight INTEGER NOT NULL DEFAULT 0,
    receive_count INTEGER NOT NULL DEFAULT 0,
    first_receive_ms INTEGER,
    nonce TEXT,
    dlq_source TEXT
  );
  CREATE INDEX sqs_messages_visible ON sqs_messages(queue, visible_ms);
  CREATE INDEX sqs_messages_sent ON sqs_messages(queue, sent_ms);
  CREATE INDEX sqs_messages_groups ON sqs_messages(queue, seq) WHERE group_id IS NOT NULL;
  CREATE TABLE sqs_dedup (
    queue TEXT NOT NULL,
    scope TEXT NOT NULL,
    dedup_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    sequence_number TEXT,
    expires_ms INTEGER NOT NULL,
    PRIMARY KEY (queue, scope, dedup_id)
  );
  CREATE TABLE sqs_move_tasks (
    handle TEXT PRIMARY KEY,
    task_id TEXT NOT NULL,
    source_arn TEXT NOT NULL,
    destination_arn TEXT,
    rate INTEGER,
    status TEXT NOT NULL,
    moved INTEGER NOT NULL DEFAULT 0,
    to_move INTEGER NOT NULL DEFAULT 0,
    failure_reason TEXT,
    started_ms INTEGER NOT NULL
  );
  CREATE INDEX sqs_move_tasks_source ON sqs_move_tasks(source_arn, started_ms);
  `,
  // 2: SNS
  `
  CREATE TABLE sns_topics (
    arn TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    fifo INTEGER NOT NULL,
    attributes TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '[]',
    created_ms INTEGER NOT NULL,
    seq_counter INTEGER NOT NULL DEFAULT 0,
    published INTEGER NOT NULL DEFAULT 0,
    delivered INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    filtered INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE sns_subscriptions (
    arn TEXT PRIMARY KEY,
    topic_arn TEXT NOT NULL,
    protocol TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    attributes TEXT NOT NULL,
    confirmed INTEGER NOT NULL,
    token TEXT,
    created_ms INTEGER NOT NULL
  );
  CREATE INDEX sns_subscriptions_topic ON sns_subscriptions(topic_arn, created_ms);
  CREATE TABLE sns_dedup (
    topic_arn TEXT NOT NULL,
    dedup_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    sequence_number TEXT,
    expires_ms INTEGER NOT NULL,
    PRIMARY KEY (topic_arn, dedup_id)
  );
  CREATE TABLE sns_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    subscription_arn TEXT NOT NULL,
    topic_arn TEXT NOT NULL,
    kind TEXT NOT NULL,
    message_id TEXT NOT NULL,
    body TEXT NOT NULL,
    raw INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_ms INTEGER NOT NULL,
    dlq_body TEXT,
    dlq_attrs TEXT
  );
  `,
  // 3: Lambda
  `
  CREATE TABLE lambda_functions (
    name TEXT PRIMARY KEY,
    config TEXT NOT NULL,
    state TEXT NOT NULL,
    code_sha TEXT NOT NULL,
    code_size INTEGER NOT NULL,
    revision_id TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '{}',
    policy TEXT,
    event_invoke_config TEXT,
    created_ms INTEGER NOT NULL,
    modified_ms INTEGER NOT NULL
  );
  CREATE TABLE lambda_code (
    sha256 TEXT PRIMARY KEY,
    zip BLOB NOT NULL
  );
  CREATE TABLE lambda_async (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id TEXT NOT NULL,
    function TEXT NOT NULL,
    payload TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    enqueued_ms INTEGER NOT NULL,
    next_ms INTEGER NOT NULL,
    last_result TEXT
  );
  CREATE INDEX lambda_async_next ON lambda_async(next_ms);
  CREATE TABLE lambda_esm (
    uuid TEXT PRIMARY KEY,
    function TEXT NOT NULL,
    source_arn TEXT NOT NULL,
    config TEXT NOT NULL,
    state TEXT NOT NULL,
    state_reason TEXT NOT NULL,
    modified_ms INTEGER NOT NULL
  );
  CREATE TABLE lambda_logs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    function TEXT NOT NULL,
    request_id TEXT NOT NULL,
    started_ms INTEGER NOT NULL,
    duration_ms REAL NOT NULL,
    outcome TEXT NOT NULL,
    text TEXT NOT NULL
  );
  CREATE INDEX lambda_logs_function ON lambda_logs(function, seq);
  `,
  // 4: regions. Queues are regional; rows from before are us-east-1 (their names stay their keys, see
  // src/local/sqs/queues.ts). Topic and subscription ARNs already carry their region.
  `
  ALTER TABLE sqs_queues ADD COLUMN region TEXT NOT NULL DEFAULT 'us-east-1';
  `,
  // 5: SNS platform applications and endpoints, SMS settings, data protection policies
  `
  CREATE TABLE sns_platform_apps (
    arn TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    platform TEXT NOT NULL,
    attributes TEXT NOT NULL,
    created_ms INTEGER NOT NULL
  );
  CREATE TABLE sns_platform_endpoints (
    arn TEXT PRIMARY KEY,
    app_arn TEXT NOT NULL,
    token TEXT NOT NULL,
    attributes TEXT NOT NULL,
    created_ms INTEGER NOT NULL
  );
  CREATE INDEX sns_platform_endpoints_app ON sns_platform_endpoints(app_arn, created_ms);
  CREATE TABLE sns_sms_attributes (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  CREATE TABLE sns_sms_opted_out (
    phone_number TEXT PRIMARY KEY,
    opted_out_ms INTEGER NOT NULL
  );
  CREATE TABLE sns_sms_sandbox_numbers (
    phone_number TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    otp TEXT NOT NULL,
    language_code TEXT NOT NULL,
    created_ms INTEGER NOT NULL
  );
  CREATE TABLE sns_data_protection (
    topic_arn TEXT PRIMARY KEY,
    policy TEXT NOT NULL
  );
  `,
  // 6: S3. Object bodies are files under <stateDir>/s3/objects named by `file`; rows are committed
  // after the file is in place. Small bodies (<= 64 KiB) are kept inline in `body` instead (file '').
  // Keys sort in UTF-8 byte order (BINARY collation), as S3 lists them.
  `
  CREATE TABLE s3_buckets (
    name TEXT PRIMARY KEY,
    region TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    tags TEXT,
    policy TEXT,
    seq INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE s3_objects (
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    file TEXT NOT NULL,
    size INTEGER NOT NULL,
    etag TEXT NOT NULL,
    modified_ms INTEGER NOT NULL,
    headers TEXT NOT NULL,
    metadata TEXT NOT NULL,
    checksum_algorithm TEXT,
    checksum TEXT,
    body BLOB,
    PRIMARY KEY (bucket, key)
  );
  CREATE TABLE s3_uploads (
    id TEXT PRIMARY KEY,
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    headers TEXT NOT NULL,
    metadata TEXT NOT NULL,
    checksum_algorithm TEXT
  );
  CREATE INDEX s3_uploads_bucket ON s3_uploads(bucket, key);
  CREATE TABLE s3_parts (
    upload_id TEXT NOT NULL,
    part_number INTEGER NOT NULL,
    file TEXT NOT NULL,
    size INTEGER NOT NULL,
    etag TEXT NOT NULL,
    modified_ms INTEGER NOT NULL,
    checksum TEXT,
    PRIMARY KEY (upload_id, part_number)
  );
  CREATE TABLE s3_notifications (
    bucket TEXT PRIMARY KEY,
    config TEXT NOT NULL
  );
  `,
  // 7: API Gateway v2 (HTTP APIs): one row per API, one row per child (route, integration, stage,
  // authorizer, deployment) holding its wire-shaped JSON; a deployment's `snapshot` freezes the routes,
  // integrations and authorizers it deployed. Children go with their API (ON DELETE CASCADE).
  `
  CREATE TABLE IF NOT EXISTS apigw_apis (
    api_id TEXT PRIMARY KEY,
    region TEXT NOT NULL,
    doc TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS apigw_children (
    api_id TEXT NOT NULL REFERENCES apigw_apis(api_id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    doc TEXT NOT NULL,
    snapshot TEXT,
    PRIMARY KEY (api_id, kind, id)
  );
  `,
  // 8: the event journal (src/local/journal)
  `
  CREATE TABLE svl_journal (
    seq INTEGER PRIMARY KEY,
    time_ms INTEGER NOT NULL,
    type TEXT NOT NULL,
    cause INTEGER,
    resource TEXT,
    id TEXT,
    data TEXT
  );
  CREATE INDEX svl_journal_id ON svl_journal(id) WHERE id IS NOT NULL;
  CREATE INDEX svl_journal_cause ON svl_journal(cause) WHERE cause IS NOT NULL;
  `,
  // 9: the journal, compact. (a) No index on id: message ids are random UUIDs, so every event dirtied a
  // random page of that index, which made a commit two to three times dearer; the journal keeps each id's
  // latest event in memory instead, and `svl trace` scans the ring for an id. (b) type, resource and data
  // have no declared type (no affinity): each holds its text, or the number of a row of svl_journal_text
  // holding it (types, ARNs, and data documents that repeat, such as a subscription's delivery details),
  // so an event row is ~70 bytes instead of ~250. Rows from before keep their texts.
  `
  CREATE TABLE svl_journal_text (
    n INTEGER PRIMARY KEY,
    text TEXT NOT NULL
  );
  CREATE TABLE svl_journal_v9 (
    seq INTEGER PRIMARY KEY,
    time_ms INTEGER NOT NULL,
    type NOT NULL,
    cause INTEGER,
    resource,
    id TEXT,
    data
  );
  INSERT INTO svl_journal_v9 SELECT seq, time_ms, type, cause, resource, id, data FROM svl_journal;
  DROP TABLE svl_journal;
  ALTER TABLE svl_journal_v9 RENAME TO svl_journal;
  CREATE INDEX svl_journal_cause ON svl_journal(cause) WHERE cause IS NOT NULL;
  `,
  // 14 (numbered for the merge with migrations 10-13 of parallel work; idempotent, so its place in the
  // list does not matter): SQS depth. A FIFO receive finds the heads of its groups through
  // (queue, group_id, seq) instead of reading every row of the queue (139 ms a receive at 20,000 queued),
  // and a FIFO send sweeps expired dedup ids through (queue, expires_ms) instead of scanning every id of
  // the queue's 5-minute window. The (queue, seq) group index only served the old scan.
  `
  CREATE INDEX IF NOT EXISTS sqs_messages_group_seq ON sqs_messages(queue, group_id, seq) WHERE group_id IS NOT NULL;
  DROP INDEX IF EXISTS sqs_messages_groups;
  CREATE INDEX IF NOT EXISTS sqs_dedup_expiry ON sqs_dedup(queue, expires_ms);
  `,
  // 17 (numbered for the merge with parallel work): sqs_messages without AUTOINCREMENT. AUTOINCREMENT read and
  // rewrote the sqlite_sequence row at every INSERT and put its page in every send's commit (one WAL frame of
  // ~7). Row ids are still never reused (a stale receipt handle must never name a new row): the emulator
  // allocates them (sqs/messages.ts `allocSeq`) below a high-water mark kept in sqs_seq, raised a block at a
  // time. The rebuild carries every row with its seq, and the mark starts at the highest id ever given
  // (sqlite_sequence's, which counts deleted rows). Safe to run again: the rebuild copies every row again and
  // the mark only grows.
  `
  CREATE TABLE IF NOT EXISTS sqs_seq (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    hwm INTEGER NOT NULL
  );
  INSERT OR IGNORE INTO sqs_seq (id, hwm) VALUES (1, 0);
  UPDATE sqs_seq SET hwm = max(hwm,
    coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'sqs_messages'), 0),
    coalesce((SELECT max(seq) FROM sqs_messages), 0));
  CREATE TABLE sqs_messages_v17 (
    seq INTEGER PRIMARY KEY,
    queue TEXT NOT NULL,
    id TEXT NOT NULL,
    body TEXT NOT NULL,
    md5_body TEXT NOT NULL,
    attrs TEXT,
    md5_attrs TEXT,
    sys_attrs TEXT,
    md5_sys TEXT,
    group_id TEXT,
    dedup_id TEXT,
    sequence_number TEXT,
    sender_id TEXT NOT NULL,
    sent_ms INTEGER NOT NULL,
    visible_ms INTEGER NOT NULL,
    inflight INTEGER NOT NULL DEFAULT 0,
    receive_count INTEGER NOT NULL DEFAULT 0,
    first_receive_ms INTEGER,
    nonce TEXT,
    dlq_source TEXT
  );
  INSERT INTO sqs_messages_v17 (seq, queue, id, body, md5_body, attrs, md5_attrs, sys_attrs, md5_sys, group_id, dedup_id,
      sequence_number, sender_id, sent_ms, visible_ms, inflight, receive_count, first_receive_ms, nonce, dlq_source)
    SELECT seq, queue, id, body, md5_body, attrs, md5_attrs, sys_attrs, md5_sys, group_id, dedup_id,
      sequence_number, sender_id, sent_ms, visible_ms, inflight, receive_count, first_receive_ms, nonce, dlq_source FROM sqs_messages;
  DROP TABLE sqs_messages;
  ALTER TABLE sqs_messages_v17 RENAME TO sqs_messages;
  CREATE INDEX sqs_messages_visible ON sqs_messages(queue, visible_ms);
  CREATE INDEX sqs_messages_sent ON sqs_messages(queue, sent_ms);
  CREATE INDEX sqs_messages_group_seq ON sqs_messages(queue, group_id, seq) WHERE group_id IS NOT NULL;
  `,
  // 18: each SQS message row keeps the seq of its latest event journal hop (sqs/rows.ts `jseq`), the cause of
  // its next one: a receive, a delete, a visibility change or a move reads it with the row it touches instead of
  // looking the message id up in the journal's in-memory id index (a random probe of a table of every message
  // id in the ring: ~1 µs of a receive+delete's CPU in the emulator). Rows from before have none (NULL): the
  // journal looks their id up as before, and their next hop writes the column.
  `
  ALTER TABLE sqs_messages ADD COLUMN jseq INTEGER;
  `,
];
