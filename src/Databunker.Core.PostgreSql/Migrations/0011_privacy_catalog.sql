-- Version 11: the privacy catalogue. Published notice versions are immutable: a changed text is a new version,
-- identified by the SHA-256 of its text. privacy_catalog keeps the hash of the last recorded catalogue, so that a
-- change is audited once. Nothing here is personal data.
CREATE TABLE privacy_notices (
    name         text    NOT NULL,
    version      integer NOT NULL,
    content_hash bytea   NOT NULL,
    text         text    NOT NULL,
    published_at bigint  NOT NULL,
    PRIMARY KEY (name, version)
);

CREATE TABLE privacy_catalog (
    id         integer NOT NULL PRIMARY KEY CHECK (id = 1),
    hash       bytea   NOT NULL,
    changed_at bigint  NOT NULL
);
