/**
 * PostgreSQL schema, as an ordered list of versioned migrations. Never edit a released migration: add one.
 *
 * The same tables as the SQLite store (docs/decisions/0002-storage-schema.md), written for PostgreSQL:
 * - every text column is `COLLATE "C"`, so comparisons and `ORDER BY` are byte-wise like SQLite's
 *   `BINARY` whatever the database's default collation (ids and RFC 3339 timestamps sort identically in
 *   both stores, and `ILIKE` folds ASCII only, like SQLite's `LIKE`);
 * - timestamps are stored as the RFC 3339 UTC ms text the domain uses (decision 0007), booleans as
 *   `boolean`, JSON documents as text (returned byte for byte, key order kept);
 * - every account-data table's primary key starts with `account_id`, the distribution column on Citus;
 *   `api_tokens` and `global_keys` are account-less reference tables (docs/scale-out.md).
 */
export const POSTGRES_MIGRATIONS: readonly {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}[] = [
  {
    version: 1,
    name: 'core',
    sql: `
CREATE TABLE accounts (
  account_id text COLLATE "C" PRIMARY KEY,
  created_at text COLLATE "C" NOT NULL
);

CREATE TABLE api_tokens (
  token_id text COLLATE "C" PRIMARY KEY,
  name text COLLATE "C" NOT NULL,
  secret_hash text COLLATE "C" NOT NULL UNIQUE,
  created_at text COLLATE "C" NOT NULL,
  expires_at text COLLATE "C",
  revoked_at text COLLATE "C"
);

CREATE TABLE token_grants (
  account_id text COLLATE "C" NOT NULL,
  token_id text COLLATE "C" NOT NULL REFERENCES api_tokens (token_id),
  permission text COLLATE "C" NOT NULL,
  PRIMARY KEY (account_id, token_id, permission)
);
CREATE INDEX token_grants_by_token ON token_grants (token_id);

CREATE TABLE global_keys (
  key_id text COLLATE "C" PRIMARY KEY,
  email text COLLATE "C" NOT NULL,
  key_hash text COLLATE "C" NOT NULL UNIQUE,
  created_at text COLLATE "C" NOT NULL,
  revoked_at text COLLATE "C"
);
CREATE INDEX global_keys_by_email ON global_keys (email);

CREATE TABLE account_members (
  account_id text COLLATE "C" NOT NULL,
  email text COLLATE "C" NOT NULL,
  PRIMARY KEY (account_id, email)
);
CREATE INDEX account_members_by_email ON account_members (email);

CREATE TABLE behavior_settings (
  account_id text COLLATE "C" NOT NULL,
  behavior text COLLATE "C" NOT NULL,
  enabled boolean NOT NULL,
  risk_level text COLLATE "C" NOT NULL,
  updated_at text COLLATE "C" NOT NULL,
  PRIMARY KEY (account_id, behavior)
);

CREATE TABLE users (
  account_id text COLLATE "C" NOT NULL,
  user_id text COLLATE "C" NOT NULL,
  email text COLLATE "C" NOT NULL,
  name text COLLATE "C" NOT NULL,
  risk_rank smallint,
  event_count integer NOT NULL,
  last_event text COLLATE "C",
  last_reset_time text COLLATE "C",
  level_changed_at text COLLATE "C",
  updated_at text COLLATE "C" NOT NULL,
  PRIMARY KEY (account_id, user_id)
);
CREATE INDEX users_scored_last_event ON users (account_id, last_event DESC, user_id) WHERE event_count > 0;
CREATE INDEX users_scored_last_event_asc ON users (account_id, last_event ASC, user_id) WHERE event_count > 0;
CREATE INDEX users_scored_count ON users (account_id, event_count DESC, user_id) WHERE event_count > 0;
CREATE INDEX users_scored_count_asc ON users (account_id, event_count ASC, user_id) WHERE event_count > 0;
CREATE INDEX users_scored_rank ON users (account_id, risk_rank DESC, user_id) WHERE event_count > 0;
CREATE INDEX users_scored_rank_asc ON users (account_id, risk_rank ASC, user_id) WHERE event_count > 0;

CREATE TABLE risk_events (
  account_id text COLLATE "C" NOT NULL,
  risk_event_id text COLLATE "C" NOT NULL,
  user_id text COLLATE "C" NOT NULL,
  behavior text COLLATE "C" NOT NULL,
  behavior_name text COLLATE "C" NOT NULL,
  risk_level text COLLATE "C" NOT NULL,
  ts text COLLATE "C" NOT NULL,
  details text COLLATE "C" NOT NULL,
  dedupe_key text COLLATE "C" NOT NULL,
  created_at text COLLATE "C" NOT NULL,
  PRIMARY KEY (account_id, risk_event_id)
);
CREATE INDEX risk_events_by_user ON risk_events (account_id, user_id, ts DESC, risk_event_id);
CREATE UNIQUE INDEX risk_events_dedupe ON risk_events (account_id, dedupe_key);

CREATE TABLE integrations (
  account_id text COLLATE "C" NOT NULL,
  integration_id text COLLATE "C" NOT NULL,
  integration_type text COLLATE "C" NOT NULL,
  reference_id text COLLATE "C" NOT NULL,
  tenant_url text COLLATE "C" NOT NULL,
  active boolean NOT NULL,
  created_at text COLLATE "C" NOT NULL,
  updated_at text COLLATE "C" NOT NULL,
  PRIMARY KEY (account_id, integration_id)
);
CREATE INDEX integrations_by_reference ON integrations (account_id, reference_id, created_at DESC, integration_id DESC);

CREATE TABLE audit_log (
  account_id text COLLATE "C" NOT NULL,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  audit_id text COLLATE "C" NOT NULL,
  at text COLLATE "C" NOT NULL,
  actor text COLLATE "C" NOT NULL,
  action text COLLATE "C" NOT NULL,
  target_type text COLLATE "C" NOT NULL,
  target_id text COLLATE "C" NOT NULL,
  before_json text COLLATE "C",
  after_json text COLLATE "C",
  reason text COLLATE "C",
  PRIMARY KEY (account_id, seq)
);
CREATE INDEX audit_by_account ON audit_log (account_id, at DESC, seq DESC);

CREATE TABLE events (
  account_id text COLLATE "C" NOT NULL,
  event_id text COLLATE "C" NOT NULL,
  user_id text COLLATE "C" NOT NULL,
  type text COLLATE "C" NOT NULL,
  ts_ms bigint NOT NULL,
  outcome text COLLATE "C",
  device_id text COLLATE "C",
  check_type text COLLATE "C",
  travel_located boolean NOT NULL,
  payload text COLLATE "C" NOT NULL,
  received_at text COLLATE "C" NOT NULL,
  PRIMARY KEY (account_id, event_id)
);
CREATE INDEX events_by_user_type_time ON events (account_id, user_id, type, ts_ms, event_id);

CREATE TABLE detector_settings (
  account_id text COLLATE "C" PRIMARY KEY,
  settings text COLLATE "C" NOT NULL,
  updated_at text COLLATE "C" NOT NULL
);

-- One row per (account, user) ever ingested: the row lock every writer of a user's risk state holds, so
-- detection for a user is serialised across nodes (decision 0007: row locks, not advisory locks, so a
-- batch of thousands of users cannot exhaust the shared lock table).
CREATE TABLE detection_locks (
  account_id text COLLATE "C" NOT NULL,
  user_id text COLLATE "C" NOT NULL,
  PRIMARY KEY (account_id, user_id)
);
`,
  },
  {
    version: 2,
    name: 'dashboard',
    // Account-wide time ranges (overview chart, top behaviors) and the most recent level changes.
    sql: `
CREATE INDEX risk_events_by_time ON risk_events (account_id, ts);
CREATE INDEX users_level_changed ON users (account_id, level_changed_at DESC, user_id) WHERE level_changed_at IS NOT NULL;
`,
  },
  {
    version: 3,
    name: 'signals',
    // Shared Signals streams and the SET outbox (docs/decisions/0005-shared-signals.md), filled in the risk
    // transactions. A sequence gives the outbox its store-wide order; workers lease due rows with
    // FOR UPDATE SKIP LOCKED (decision 0007).
    sql: `
CREATE INDEX integrations_by_id ON integrations (integration_id);

CREATE TABLE ssf_streams (
  account_id text COLLATE "C" NOT NULL,
  stream_id text COLLATE "C" NOT NULL,
  description text COLLATE "C",
  events_requested text COLLATE "C" NOT NULL,
  events_delivered text COLLATE "C" NOT NULL,
  delivers_risk boolean NOT NULL,
  delivery_method text COLLATE "C" NOT NULL,
  endpoint_url text COLLATE "C",
  authorization_header text COLLATE "C",
  subject_format text COLLATE "C" NOT NULL,
  min_verification_interval integer NOT NULL,
  status text COLLATE "C" NOT NULL,
  status_reason text COLLATE "C",
  last_verification_at text COLLATE "C",
  created_at text COLLATE "C" NOT NULL,
  updated_at text COLLATE "C" NOT NULL,
  PRIMARY KEY (account_id, stream_id)
);

CREATE TABLE ssf_stream_subjects (
  account_id text COLLATE "C" NOT NULL,
  stream_id text COLLATE "C" NOT NULL,
  subject_key text COLLATE "C" NOT NULL,
  removed_at text COLLATE "C" NOT NULL,
  PRIMARY KEY (account_id, stream_id, subject_key)
);

CREATE SEQUENCE ssf_outbox_seq AS bigint;

CREATE TABLE ssf_outbox (
  account_id text COLLATE "C" NOT NULL,
  stream_id text COLLATE "C" NOT NULL,
  seq bigint NOT NULL,
  target text COLLATE "C" NOT NULL,
  jti text COLLATE "C" NOT NULL,
  txn text COLLATE "C" NOT NULL,
  subject_key text COLLATE "C" NOT NULL,
  control boolean NOT NULL,
  intent text COLLATE "C" NOT NULL,
  attempts integer NOT NULL,
  next_attempt_at text COLLATE "C" NOT NULL,
  lease_id text COLLATE "C",
  lease_until text COLLATE "C",
  signed_set text COLLATE "C",
  kid text COLLATE "C",
  created_at text COLLATE "C" NOT NULL,
  PRIMARY KEY (account_id, stream_id, seq)
);
CREATE UNIQUE INDEX ssf_outbox_by_jti ON ssf_outbox (account_id, stream_id, jti);
CREATE INDEX ssf_outbox_by_subject ON ssf_outbox (account_id, stream_id, subject_key, seq);
CREATE INDEX ssf_outbox_due ON ssf_outbox (next_attempt_at, seq);
CREATE INDEX ssf_outbox_by_kid ON ssf_outbox (kid) WHERE kid IS NOT NULL;

CREATE TABLE ssf_stream_health (
  account_id text COLLATE "C" NOT NULL,
  stream_id text COLLATE "C" NOT NULL,
  last_success_at text COLLATE "C",
  last_error_at text COLLATE "C",
  last_error text COLLATE "C",
  delivered integer NOT NULL,
  failed integer NOT NULL,
  PRIMARY KEY (account_id, stream_id)
);
`,
  },
  {
    version: 4,
    name: 'scored_user_counts',
    // The summary's total_count read from per-account, per-level counters (the SQLite store's migration 5),
    // kept exact in the writing transaction instead of a count(*) that grows with the account. A user counts
    // when event_count > 0, under COALESCE(risk_rank, 0).
    //
    // Statement-level triggers with transition tables: one aggregated delta per (account, rank) per
    // statement, zero deltas dropped (an event that neither scores a new user nor changes a level touches
    // no counter). Counter rows are hot for concurrent writers of one account, so lock order matters:
    // - they are upserted in (account_id, risk_rank) order within a statement;
    // - an INSERT … ON CONFLICT DO UPDATE fires the UPDATE and the INSERT triggers one after the other, two
    //   sorted runs that could cross another transaction's two runs; so every run also upserts the
    //   account's rank-0 row (delta 0) first: it is the lowest key, hence whoever holds any counter row of
    //   an account holds its rank-0 row, and writers of one account queue on it instead of deadlocking;
    // - the trigger runs after the user rows are written, under the detection locks taken before
    //   (decision 0007), and nothing that follows in a risk transaction waits on a user lock: the order is
    //   always detection locks → users → counters.
    // The backfill runs with users locked against writes (readers go on), so no write falls between the
    // backfill and the triggers during a rolling upgrade.
    sql: `
CREATE TABLE scored_user_counts (
  account_id text COLLATE "C" NOT NULL,
  risk_rank integer NOT NULL,
  n bigint NOT NULL,
  PRIMARY KEY (account_id, risk_rank)
);

LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE;

INSERT INTO scored_user_counts (account_id, risk_rank, n)
  SELECT account_id, COALESCE(risk_rank, 0), count(*) FROM users WHERE event_count > 0 GROUP BY 1, 2;

CREATE FUNCTION scored_user_counts_apply() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $fn$
BEGIN
  -- Each branch reads only the transition tables its trigger declares.
  IF TG_OP = 'INSERT' THEN
    WITH d AS (
      SELECT account_id, risk_rank, sum(n) AS n FROM (SELECT account_id, COALESCE(risk_rank, 0) AS risk_rank, 1 AS n FROM new_users WHERE event_count > 0) x
      GROUP BY account_id, risk_rank HAVING sum(n) <> 0
    )
    INSERT INTO scored_user_counts AS c (account_id, risk_rank, n)
      SELECT account_id, risk_rank, sum(n) FROM (
        SELECT account_id, risk_rank, n FROM d UNION ALL SELECT DISTINCT account_id, 0, 0 FROM d
      ) g
      GROUP BY account_id, risk_rank ORDER BY account_id, risk_rank
      ON CONFLICT (account_id, risk_rank) DO UPDATE SET n = c.n + excluded.n;
  ELSIF TG_OP = 'DELETE' THEN
    WITH d AS (
      SELECT account_id, risk_rank, sum(n) AS n FROM (SELECT account_id, COALESCE(risk_rank, 0) AS risk_rank, -1 AS n FROM old_users WHERE event_count > 0) x
      GROUP BY account_id, risk_rank HAVING sum(n) <> 0
    )
    INSERT INTO scored_user_counts AS c (account_id, risk_rank, n)
      SELECT account_id, risk_rank, sum(n) FROM (
        SELECT account_id, risk_rank, n FROM d UNION ALL SELECT DISTINCT account_id, 0, 0 FROM d
      ) g
      GROUP BY account_id, risk_rank ORDER BY account_id, risk_rank
      ON CONFLICT (account_id, risk_rank) DO UPDATE SET n = c.n + excluded.n;
  ELSE
    WITH d AS (
      SELECT account_id, risk_rank, sum(n) AS n FROM (
        SELECT account_id, COALESCE(risk_rank, 0) AS risk_rank, -1 AS n FROM old_users WHERE event_count > 0
        UNION ALL
        SELECT account_id, COALESCE(risk_rank, 0), 1 FROM new_users WHERE event_count > 0
      ) x
      GROUP BY account_id, risk_rank HAVING sum(n) <> 0
    )
    INSERT INTO scored_user_counts AS c (account_id, risk_rank, n)
      SELECT account_id, risk_rank, sum(n) FROM (
        SELECT account_id, risk_rank, n FROM d UNION ALL SELECT DISTINCT account_id, 0, 0 FROM d
      ) g
      GROUP BY account_id, risk_rank ORDER BY account_id, risk_rank
      ON CONFLICT (account_id, risk_rank) DO UPDATE SET n = c.n + excluded.n;
  END IF;
  RETURN NULL;
END;
$fn$;

-- Transition tables allow one event per trigger and no column list (so the UPDATE trigger fires on every
-- UPDATE of users and finds no delta when neither event_count > 0 nor the rank changed).
CREATE TRIGGER users_scored_insert AFTER INSERT ON users REFERENCING NEW TABLE AS new_users
  FOR EACH STATEMENT EXECUTE FUNCTION scored_user_counts_apply();
CREATE TRIGGER users_scored_delete AFTER DELETE ON users REFERENCING OLD TABLE AS old_users
  FOR EACH STATEMENT EXECUTE FUNCTION scored_user_counts_apply();
CREATE TRIGGER users_scored_update AFTER UPDATE ON users REFERENCING OLD TABLE AS old_users NEW TABLE AS new_users
  FOR EACH STATEMENT EXECUTE FUNCTION scored_user_counts_apply();
`,
  },
];
