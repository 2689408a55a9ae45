-- Version 17: the audit trail in 32 stripes. Until now every audited write locked the one head row, so the
-- whole fleet's writes ran one at a time. Each stripe is a chain of its own with its own head (a row of
-- audit_chain, numbered 1 to 32); a writer appends to a stripe that no other writer of its instance holds,
-- and moves its head only if the head is still where the writer saw it, so that writers from any number of
-- instances append in parallel. The chain so far is stripe 1. Every chained event has a sequence number now
-- (legacy ones kept their id), unique within its stripe; a person's trail is read in id order. Every
-- step may run again on a schema that has it (a test downgrades the version and migrates once more).
ALTER TABLE audit_chain DROP CONSTRAINT IF EXISTS audit_chain_id_check;
INSERT INTO audit_chain (id, first_seq, first_prev, head_seq, head_link)
SELECT s, 1, decode(repeat('00', 32), 'hex'), 0, decode(repeat('00', 32), 'hex') FROM generate_series(2, 32) s
ON CONFLICT (id) DO NOTHING;

ALTER TABLE audit_events ADD COLUMN IF NOT EXISTS stripe integer NOT NULL DEFAULT 1;
ALTER TABLE audit_events ALTER COLUMN seq SET NOT NULL;
DROP INDEX IF EXISTS ux_audit_events_seq;
CREATE UNIQUE INDEX IF NOT EXISTS ux_audit_events_stripe_seq ON audit_events (stripe, seq);
DROP INDEX IF EXISTS ix_audit_events_subject;
CREATE INDEX ix_audit_events_subject ON audit_events (subject, id) WHERE subject IS NOT NULL;
