-- Version 7: fewer index pages per write, as on SQLite. The time index goes (purging reads from the oldest end
-- in sequence order); the subject index holds only events that have a subject, in chain order; the
-- deterministic-token index holds only deterministic tokens (the UNIQUE constraint also indexed every random
-- token's NULL); rotation scans data_keys, so the index on key_version goes.
DROP INDEX ix_audit_events_at;
DROP INDEX ix_audit_events_subject;
CREATE INDEX ix_audit_events_subject ON audit_events (subject, seq) WHERE subject IS NOT NULL;
ALTER TABLE tokens DROP CONSTRAINT tokens_deterministic_key;
CREATE UNIQUE INDEX ux_tokens_deterministic ON tokens (deterministic) WHERE deterministic IS NOT NULL;
DROP INDEX ix_data_keys_version;
