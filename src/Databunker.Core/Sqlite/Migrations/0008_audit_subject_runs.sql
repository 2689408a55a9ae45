-- Version 8: the audit trail's index by person is written in sorted runs instead of one entry per event at a
-- random place. New events are appended unindexed; once 8,192 have gathered, the write transaction that
-- crosses the mark indexes them in one sorted run (audit_subjects, keyed by run, subject and sequence number,
-- so that a run is appended at the index's end). A person's trail is read from each run and from the
-- unindexed tail (seq > audit_chain.indexed_seq). A run is named by the last sequence number it covers; its
-- level is 0 for a run of appended events and 1 for the run this migration makes of the events already there
-- (runs are not merged yet; purges drop the runs of purged events).
CREATE TABLE audit_subjects (
    run     INTEGER NOT NULL,
    subject BLOB    NOT NULL,
    seq     INTEGER NOT NULL,
    PRIMARY KEY (run, subject, seq)
) WITHOUT ROWID;

CREATE TABLE audit_runs (
    run   INTEGER PRIMARY KEY,
    level INTEGER NOT NULL
);

ALTER TABLE audit_chain ADD COLUMN indexed_seq INTEGER NOT NULL DEFAULT 0;

-- The existing events become one run.
INSERT INTO audit_subjects (run, subject, seq)
SELECT (SELECT MAX(seq) FROM audit_events), subject, seq FROM audit_events WHERE subject IS NOT NULL ORDER BY subject, seq;
INSERT INTO audit_runs (run, level) SELECT MAX(seq), 1 FROM audit_events HAVING COUNT(*) > 0;
UPDATE audit_chain SET indexed_seq = COALESCE((SELECT MAX(seq) FROM audit_events), 0) WHERE id = 1;

DROP INDEX ix_audit_events_subject;
