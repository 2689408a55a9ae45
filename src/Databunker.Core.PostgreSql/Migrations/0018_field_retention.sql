-- Version 18: field retention (GDPR Art. 5(1)(c),(e)). For each person and activity of the catalogue, when the host ended
-- the activity for them (IPersonalDataVault.EndPurposeAsync) and when a read for it last used their data (to the day);
-- and for each person, when the due-work pass next looks at which of their fields a purpose still needs. Names of
-- activities and times only: no personal data.
CREATE TABLE IF NOT EXISTS purpose_states (
    owner    bytea  NOT NULL,
    activity text   NOT NULL,
    ended_at bigint,
    used_at  bigint,
    PRIMARY KEY (owner, activity)
);

CREATE TABLE IF NOT EXISTS field_retention (
    owner  bytea  PRIMARY KEY,
    due_at bigint NOT NULL
);

CREATE INDEX IF NOT EXISTS field_retention_due ON field_retention (due_at);

-- Every person stored before this version is looked at once by the first pass after it (due at 0): field retention
-- then knows them as it knows persons created later. A vault whose catalogue declares no fields leaves them waiting.
INSERT INTO field_retention (owner, due_at) SELECT token, 0 FROM users ON CONFLICT (owner) DO NOTHING;
