-- Version 5: the audit chain. Every new event gets the next sequence number and a link (an HMAC over the
-- previous link and the event, under the audit-chain system key); audit_chain holds the head, and the
-- start of what is still chained (moved on by purges). Events written before this version keep their id
-- as sequence number and no link: they are counted as legacy, not verified.
ALTER TABLE audit_events ADD COLUMN seq INTEGER;
ALTER TABLE audit_events ADD COLUMN link BLOB;
UPDATE audit_events SET seq = id;
CREATE UNIQUE INDEX ux_audit_events_seq ON audit_events (seq);

CREATE TABLE audit_chain (
    id         INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    first_seq  INTEGER NOT NULL,
    first_prev BLOB    NOT NULL,
    head_seq   INTEGER NOT NULL,
    head_link  BLOB    NOT NULL
);

INSERT INTO audit_chain (id, first_seq, first_prev, head_seq, head_link)
SELECT 1, COALESCE(MAX(seq), 0) + 1, zeroblob(32), COALESCE(MAX(seq), 0), zeroblob(32) FROM audit_events;
