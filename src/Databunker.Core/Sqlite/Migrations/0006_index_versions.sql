-- Version 6: index entries remember the blind-index key version they were made under, so that the key can be
-- renewed: a re-key recomputes every entry under the new version in batches while both are in use.
ALTER TABLE user_indexes ADD COLUMN key_version INTEGER NOT NULL DEFAULT 1;
