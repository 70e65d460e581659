-- Sign-in throttling counts failures per client address across all usernames, and a browser
-- that has signed in to an account before (it holds a device cookie for it) is throttled on
-- its own, so that failures from a shared address cannot keep that account's owner out.

CREATE INDEX login_failures_by_address ON login_failures (address, at);

CREATE TABLE sign_in_devices (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    created    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
