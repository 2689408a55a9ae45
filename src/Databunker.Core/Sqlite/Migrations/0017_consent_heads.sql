-- Version 17: each person's consent ledger has a head (StoredConsentHead): the sequence number of their last decision
-- and a MAC under the consent chain's key over the person, that number and that decision's link, written in the
-- transaction that appends each decision, so that a read finds a ledger whose last decisions were deleted. The heads of
-- the ledgers recorded before this version need the vault's key: the start that applies it writes them once.
CREATE TABLE consent_heads (
    owner BLOB    PRIMARY KEY,
    seq   INTEGER NOT NULL,
    mac   BLOB    NOT NULL
) WITHOUT ROWID;
