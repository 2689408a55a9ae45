-- Version 5: the audit chain. Every new event gets the next sequence number and a link (an HMAC over the
-- previous link and the event, under the audit-chain system key); audit_chain holds the head (locked by
-- every transaction that appends, so that the chain has one order), and the start of what is still
-- chained (moved on by purges). Events written before this version keep their id as sequence number and
-- no link: they are counted as legacy, not verified.
ALTER TABLE audit_events ADD COLUMN seq bigint;
ALTER TABLE audit_events ADD COLUMN link bytea;
UPDATE audit_events SET seq = id;
CREATE UNIQUE INDEX ux_audit_events_seq ON audit_events (seq);

CREATE TABLE audit_chain (
    id         integer NOT NULL PRIMARY KEY CHECK (id = 1),
    first_seq  bigint  NOT NULL,
    first_prev bytea   NOT NULL,
    head_seq   bigint  NOT NULL,
    head_link  bytea   NOT NULL
);

INSERT INTO audit_chain (id, first_seq, first_prev, head_seq, head_link)
SELECT 1, COALESCE(MAX(seq), 0) + 1, decode(repeat('00', 32), 'hex'), COALESCE(MAX(seq), 0), decode(repeat('00', 32), 'hex') FROM audit_events;
