/**
 * SQLite schema, as an ordered list of versioned migrations. Never edit a released migration: add one.
 * Every account-data table is keyed by `account_id` first (see docs/decisions/0002-storage-schema.md).
 */
export const SQLITE_MIGRATIONS: readonly {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}[] = [
  {
    version: 1,
    name: 'core',
    sql: `
CREATE TABLE accounts (
  account_id TEXT PRIMARY KEY,
  created_at TEXT NOT NULL
) STRICT;

CREATE TABLE api_tokens (
  token_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  secret_hash TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  expires_at TEXT,
  revoked_at TEXT
) STRICT;

CREATE TABLE token_grants (
  account_id TEXT NOT NULL,
  token_id TEXT NOT NULL REFERENCES api_tokens(token_id),
  permission TEXT NOT NULL,
  PRIMARY KEY (account_id, token_id, permission)
) STRICT;
CREATE INDEX token_grants_by_token ON token_grants (token_id);

CREATE TABLE global_keys (
  key_id TEXT PRIMARY KEY,
  email TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  revoked_at TEXT
) STRICT;
CREATE INDEX global_keys_by_email ON global_keys (email);

CREATE TABLE account_members (
  account_id TEXT NOT NULL,
  email TEXT NOT NULL,
  PRIMARY KEY (account_id, email)
) STRICT;
CREATE INDEX account_members_by_email ON account_members (email);

CREATE TABLE behavior_settings (
  account_id TEXT NOT NULL,
  behavior TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  risk_level TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (account_id, behavior)
) STRICT;

CREATE TABLE users (
  account_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  email TEXT NOT NULL,
  name TEXT NOT NULL,
  risk_rank INTEGER,
  event_count INTEGER NOT NULL,
  last_event TEXT,
  last_reset_time TEXT,
  level_changed_at TEXT,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (account_id, user_id)
) STRICT;
CREATE INDEX users_scored_last_event ON users (account_id, last_event DESC, user_id) WHERE event_count > 0;
CREATE INDEX users_scored_last_event_asc ON users (account_id, last_event ASC, user_id) WHERE event_count > 0;
CREATE INDEX users_scored_count ON users (account_id, event_count DESC, user_id) WHERE event_count > 0;
CREATE INDEX users_scored_count_asc ON users (account_id, event_count ASC, user_id) WHERE event_count > 0;
CREATE INDEX users_scored_rank ON users (account_id, risk_rank DESC, user_id) WHERE event_count > 0;
CREATE INDEX users_scored_rank_asc ON users (account_id, risk_rank ASC, user_id) WHERE event_count > 0;

CREATE TABLE risk_events (
  account_id TEXT NOT NULL,
  risk_event_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  behavior TEXT NOT NULL,
  behavior_name TEXT NOT NULL,
  risk_level TEXT NOT NULL,
  ts TEXT NOT NULL,
  details TEXT NOT NULL,
  dedupe_key TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (account_id, risk_event_id)
) STRICT;
CREATE INDEX risk_events_by_user ON risk_events (account_id, user_id, ts DESC, risk_event_id);
CREATE UNIQUE INDEX risk_events_dedupe ON risk_events (account_id, dedupe_key);

CREATE TABLE integrations (
  account_id TEXT NOT NULL,
  integration_id TEXT NOT NULL,
  integration_type TEXT NOT NULL,
  reference_id TEXT NOT NULL,
  tenant_url TEXT NOT NULL,
  active INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (account_id, integration_id)
) STRICT;
CREATE INDEX integrations_by_reference ON integrations (account_id, reference_id, created_at DESC, integration_id DESC);

CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id TEXT NOT NULL,
  audit_id TEXT NOT NULL,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target_type TEXT NOT NULL,
  target_id TEXT NOT NULL,
  before_json TEXT,
  after_json TEXT,
  reason TEXT
);
CREATE INDEX audit_by_account ON audit_log (account_id, at DESC, seq DESC);
`,
  },
  {
    version: 2,
    name: 'events',
    sql: `
CREATE TABLE events (
  account_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  type TEXT NOT NULL,
  ts_ms INTEGER NOT NULL,
  outcome TEXT,
  device_id TEXT,
  check_type TEXT,
  travel_located INTEGER NOT NULL,
  payload TEXT NOT NULL,
  received_at TEXT NOT NULL,
  PRIMARY KEY (account_id, event_id)
) STRICT;
CREATE INDEX events_by_user_type_time ON events (account_id, user_id, type, ts_ms, event_id);

CREATE TABLE detector_settings (
  account_id TEXT PRIMARY KEY,
  settings TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;
`,
  },
  {
    version: 3,
    name: 'dashboard',
    // Account-wide time ranges (overview chart, top behaviors) and the most recent level changes.
    sql: `
CREATE INDEX risk_events_by_time ON risk_events (account_id, ts);
CREATE INDEX users_level_changed ON users (account_id, level_changed_at DESC, user_id) WHERE level_changed_at IS NOT NULL;
`,
  },
  {
    version: 4,
    name: 'signals',
    // Shared Signals streams and the SET outbox (docs/decisions/0005-shared-signals.md). The outbox is
    // filled in the risk transactions; ssf_sequences gives it a store-wide order.
    sql: `
CREATE INDEX integrations_by_id ON integrations (integration_id);

CREATE TABLE ssf_streams (
  account_id TEXT NOT NULL,
  stream_id TEXT NOT NULL,
  description TEXT,
  events_requested TEXT NOT NULL,
  events_delivered TEXT NOT NULL,
  delivers_risk INTEGER NOT NULL,
  delivery_method TEXT NOT NULL,
  endpoint_url TEXT,
  authorization_header TEXT,
  subject_format TEXT NOT NULL,
  min_verification_interval INTEGER NOT NULL,
  status TEXT NOT NULL,
  status_reason TEXT,
  last_verification_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (account_id, stream_id)
) STRICT;

CREATE TABLE ssf_stream_subjects (
  account_id TEXT NOT NULL,
  stream_id TEXT NOT NULL,
  subject_key TEXT NOT NULL,
  removed_at TEXT NOT NULL,
  PRIMARY KEY (account_id, stream_id, subject_key)
) STRICT;

CREATE TABLE ssf_outbox (
  account_id TEXT NOT NULL,
  stream_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  target TEXT NOT NULL,
  jti TEXT NOT NULL,
  txn TEXT NOT NULL,
  subject_key TEXT NOT NULL,
  control INTEGER NOT NULL,
  intent TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_at TEXT NOT NULL,
  lease_id TEXT,
  lease_until TEXT,
  signed_set TEXT,
  kid TEXT,
  created_at TEXT NOT NULL,
  PRIMARY KEY (account_id, stream_id, seq)
) STRICT;
CREATE UNIQUE INDEX ssf_outbox_by_jti ON ssf_outbox (account_id, stream_id, jti);
CREATE INDEX ssf_outbox_by_subject ON ssf_outbox (account_id, stream_id, subject_key, seq);
CREATE INDEX ssf_outbox_due ON ssf_outbox (next_attempt_at, seq);
CREATE INDEX ssf_outbox_by_kid ON ssf_outbox (kid) WHERE kid IS NOT NULL;

CREATE TABLE ssf_sequences (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) STRICT;
INSERT INTO ssf_sequences (name, value) VALUES ('outbox', 0);

CREATE TABLE ssf_stream_health (
  account_id TEXT NOT NULL,
  stream_id TEXT NOT NULL,
  last_success_at TEXT,
  last_error_at TEXT,
  last_error TEXT,
  delivered INTEGER NOT NULL,
  failed INTEGER NOT NULL,
  PRIMARY KEY (account_id, stream_id)
) STRICT;
`,
  },
  {
    version: 5,
    name: 'scored_user_counts',
    // The summary's total_count read from per-account, per-level counters kept exact by triggers in the
    // same transaction as every write to users, instead of a COUNT(*) that grows with the account.
    sql: `
CREATE TABLE scored_user_counts (
  account_id TEXT NOT NULL,
  risk_rank INTEGER NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (account_id, risk_rank)
) STRICT;
INSERT INTO scored_user_counts (account_id, risk_rank, n)
  SELECT account_id, COALESCE(risk_rank, 0), COUNT(*) FROM users WHERE event_count > 0 GROUP BY 1, 2;
CREATE TRIGGER users_scored_insert AFTER INSERT ON users WHEN NEW.event_count > 0 BEGIN
  INSERT INTO scored_user_counts (account_id, risk_rank, n) VALUES (NEW.account_id, COALESCE(NEW.risk_rank, 0), 1)
    ON CONFLICT (account_id, risk_rank) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER users_scored_delete AFTER DELETE ON users WHEN OLD.event_count > 0 BEGIN
  UPDATE scored_user_counts SET n = n - 1 WHERE account_id = OLD.account_id AND risk_rank = COALESCE(OLD.risk_rank, 0);
END;
CREATE TRIGGER users_scored_update AFTER UPDATE OF event_count, risk_rank ON users
  WHEN (OLD.event_count > 0) <> (NEW.event_count > 0)
    OR (NEW.event_count > 0 AND COALESCE(OLD.risk_rank, 0) <> COALESCE(NEW.risk_rank, 0)) BEGIN
  UPDATE scored_user_counts SET n = n - 1
    WHERE OLD.event_count > 0 AND account_id = OLD.account_id AND risk_rank = COALESCE(OLD.risk_rank, 0);
  INSERT INTO scored_user_counts (account_id, risk_rank, n)
    SELECT NEW.account_id, COALESCE(NEW.risk_rank, 0), 1 WHERE NEW.event_count > 0
    ON CONFLICT (account_id, risk_rank) DO UPDATE SET n = n + 1;
END;
`,
  },
];
