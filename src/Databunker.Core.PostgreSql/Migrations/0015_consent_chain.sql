-- Version 15: each person's consent decisions form a chain (IConsentChain). seq numbers a person's decisions 1, 2, 3 ...
-- in the order they were appended; link is the MAC over the previous decision's link and every field but the evidence.
-- Decisions already recorded get their numbers here; their links need the vault's key, so the ledger computes them once,
-- when the vault first opens after this version: consent_chain.legacy_through is the last id it links, 0 once done.
-- Decisions waiting for their person's registration get a link too (over their index hash, sequence 0), the same way:
-- pending_through is the last pending id linked then.
-- The latest decision of a (person, activity) is now the one with the highest seq: ids are not covered by any MAC.
ALTER TABLE consent_events ADD COLUMN seq bigint NOT NULL DEFAULT 0;
ALTER TABLE consent_events ADD COLUMN link bytea;
ALTER TABLE pending_consents ADD COLUMN link bytea;

UPDATE consent_events SET seq = n.seq
FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY owner ORDER BY id) AS seq FROM consent_events) n
WHERE n.id = consent_events.id;

DROP INDEX ix_consent_events_owner;
CREATE UNIQUE INDEX ux_consent_events_seq ON consent_events (owner, seq);
CREATE INDEX ix_consent_events_latest ON consent_events (owner, activity, seq);

CREATE TABLE consent_chain (
    id              integer PRIMARY KEY CHECK (id = 1),
    legacy_through  bigint  NOT NULL,
    pending_through bigint  NOT NULL
);

INSERT INTO consent_chain (id, legacy_through, pending_through)
SELECT 1, (SELECT COALESCE(MAX(id), 0) FROM consent_events), (SELECT COALESCE(MAX(id), 0) FROM pending_consents);
