-- The Clearinghouse beyond Docket.
--
-- clearinghouse_origin holds the instant of the first start, which the feeds
-- give as their dateReleased while nothing is published yet (one row).
CREATE TABLE clearinghouse_origin (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    started_at BIGINT NOT NULL
);

-- The CSAF trusted provider's OpenPGP keys, which sign every CSAF document:
-- made on first start, a new one with `docket keys rotate --csaf`; earlier
-- keys stay published. public_key is the ASCII-armored public key;
-- private_key the serialized private key sealed with AES-GCM under a key
-- derived from the signing secret (base64), bound to the fingerprint.
CREATE TABLE csaf_keys (
    fingerprint TEXT PRIMARY KEY,
    seq         INTEGER NOT NULL UNIQUE,
    public_key  TEXT NOT NULL,
    private_key TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    retired_at  BIGINT
);
