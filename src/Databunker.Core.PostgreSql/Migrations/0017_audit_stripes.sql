-- Version 17: the audit trail in 32 stripes. Until now every audited write locked the one head row, so the
-- whole fleet's writes ran one at a time. Each stripe is a chain of its own (a row of audit_chain, numbered 1
-- to 32, holds where it starts); its head is its newest event, and no row holds it any longer. A writer
-- appends to a stripe that no other writer of its instance holds, after the head it saw: the unique index on
-- (stripe, seq) refuses the append if another instance appended meanwhile, so that writers from any number
-- of instances append in parallel. The chain so far is stripe 1. Every event has a sequence number now
-- (legacy ones kept their id); a person's trail is read in id order. Every step may run again on a schema
-- that has it (a test downgrades the version and migrates once more).
ALTER TABLE audit_chain DROP CONSTRAINT IF EXISTS audit_chain_id_check;
ALTER TABLE audit_chain DROP COLUMN IF EXISTS head_seq, DROP COLUMN IF EXISTS head_link;
INSERT INTO audit_chain (id, first_seq, first_prev)
SELECT s, 1, decode(repeat('00', 32), 'hex') FROM generate_series(2, 32) s
ON CONFLICT (id) DO NOTHING;

ALTER TABLE audit_events ADD COLUMN IF NOT EXISTS stripe integer NOT NULL DEFAULT 1;
ALTER TABLE audit_events ALTER COLUMN seq SET NOT NULL;
DROP INDEX IF EXISTS ux_audit_events_seq;
CREATE UNIQUE INDEX IF NOT EXISTS ux_audit_events_stripe_seq ON audit_events (stripe, seq);
DROP INDEX IF EXISTS ix_audit_events_subject;
CREATE INDEX ix_audit_events_subject ON audit_events (subject, id) WHERE subject IS NOT NULL;
