-- Version 19: each token keeps its scope (TokenizeOptions.Scope), so that a read for a purpose of the privacy catalogue
-- gives back only the tokens of the scopes its activity declares (ProcessingActivity.TokenScopes). A new token's value
-- is sealed with its scope in the associated data, so a scope rewritten here fails to open. Tokens made before this
-- version have none (NULL): only the vault's own purpose reads them through a purpose. A scope is a name the host
-- gives a kind of value ("card", "iban"): no personal data.
ALTER TABLE tokens ADD COLUMN IF NOT EXISTS scope text;
