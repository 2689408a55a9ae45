-- Version 4: two independent link tokens, and a MAC that binds them and the due time to the person.
-- token_hash becomes the keep link's hash; links mailed before this version stop working (their hashes
-- were made under a label that is no longer used), and the scheduler forgets those persons when due.
ALTER TABLE expirations RENAME COLUMN token_hash TO retain_hash;
ALTER TABLE expirations ADD COLUMN delete_hash BLOB;
ALTER TABLE expirations ADD COLUMN binding BLOB;
UPDATE expirations SET retain_hash = NULL;
CREATE UNIQUE INDEX ux_expirations_delete_hash ON expirations (delete_hash);
