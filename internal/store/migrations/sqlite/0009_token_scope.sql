-- API tokens carry a scope: 'read' (GET only) or 'write'. Tokens made before
-- scopes keep the power they were made with; sessions have none ('').
ALTER TABLE tokens ADD COLUMN scope TEXT NOT NULL DEFAULT '';
UPDATE tokens SET scope = 'write' WHERE kind = 'api';
