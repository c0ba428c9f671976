#include "store/sqlite/schema.h"

namespace gh::store::sqlite {
namespace {

// Times are Unix seconds. Client URI lists live in a child table (one row per entry, `position`
// keeping registration order) so each URI is stored byte for byte without an encoding.
// References between aggregates (sessions -> users, tokens -> clients, ...) are deliberately not
// foreign keys: the Store contract defines no error for a dangling reference, and a removed
// client's tokens stay until they expire and are purged.
constexpr sql::Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE clients (
  id TEXT NOT NULL PRIMARY KEY,
  name TEXT NOT NULL,
  secret_hash TEXT,
  frontchannel_logout_uri TEXT,
  frontchannel_logout_session_required INTEGER NOT NULL,
  backchannel_logout_uri TEXT,
  backchannel_logout_session_required INTEGER NOT NULL,
  id_token_signed_response_alg TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE client_uris (
  client_id TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('redirect', 'post_logout_redirect')),
  position INTEGER NOT NULL,
  uri TEXT NOT NULL,
  PRIMARY KEY (client_id, kind, position)
) STRICT, WITHOUT ROWID;

CREATE TABLE users (
  id TEXT NOT NULL PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  name TEXT NOT NULL,
  email TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE sessions (
  sid TEXT NOT NULL PRIMARY KEY,
  key_hash TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL,
  auth_time INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  ended_at INTEGER,
  end_cause TEXT NOT NULL
) STRICT;
CREATE INDEX sessions_by_user ON sessions (user_id, created_at);
CREATE INDEX sessions_active_by_last_seen ON sessions (last_seen_at) WHERE ended_at IS NULL;
CREATE INDEX sessions_active_by_auth_time ON sessions (auth_time) WHERE ended_at IS NULL;

CREATE TABLE participants (
  sid TEXT NOT NULL,
  client_id TEXT NOT NULL,
  protocol TEXT NOT NULL,
  first_seen_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  PRIMARY KEY (sid, client_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE authorization_codes (
  code_hash TEXT NOT NULL PRIMARY KEY,
  grant_id TEXT NOT NULL,
  client_id TEXT NOT NULL,
  redirect_uri TEXT NOT NULL,
  user_id TEXT NOT NULL,
  sid TEXT NOT NULL,
  scope TEXT NOT NULL,
  nonce TEXT,
  code_challenge TEXT,
  code_challenge_method TEXT NOT NULL,
  auth_time INTEGER NOT NULL,
  issued_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  consumed INTEGER NOT NULL
) STRICT;
CREATE INDEX authorization_codes_by_expiry ON authorization_codes (expires_at);

CREATE TABLE tokens (
  token_hash TEXT NOT NULL PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
  grant_id TEXT NOT NULL,
  client_id TEXT NOT NULL,
  user_id TEXT,
  sid TEXT,
  scope TEXT NOT NULL,
  issued_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked INTEGER NOT NULL
) STRICT;
CREATE INDEX tokens_by_grant ON tokens (grant_id);
CREATE INDEX tokens_by_sid ON tokens (sid);
CREATE INDEX tokens_by_expiry ON tokens (expires_at);

CREATE TABLE signing_keys (
  kid TEXT NOT NULL PRIMARY KEY,
  alg TEXT NOT NULL,
  private_key_pem TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  retired_at INTEGER,
  unpublish_at INTEGER
) STRICT;

CREATE TABLE logout_notifications (
  id INTEGER PRIMARY KEY,
  sid TEXT NOT NULL,
  user_id TEXT NOT NULL,
  client_id TEXT NOT NULL,
  channel TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL,
  last_error TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  lease_until INTEGER,
  delivered_at INTEGER
) STRICT;
CREATE INDEX logout_notifications_due ON logout_notifications (status, next_attempt_at);
CREATE INDEX logout_notifications_by_sid ON logout_notifications (sid);
)sql"},
    {2, R"sql(
ALTER TABLE sessions ADD COLUMN browser_state TEXT NOT NULL DEFAULT '';

CREATE TABLE logout_contexts (
  id_hash TEXT NOT NULL PRIMARY KEY,
  sid TEXT NOT NULL,
  client_id TEXT,
  post_logout_redirect_uri TEXT,
  state TEXT,
  ui_locales TEXT,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
) STRICT, WITHOUT ROWID;
CREATE INDEX logout_contexts_by_expiry ON logout_contexts (expires_at);

CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  type TEXT NOT NULL,
  sid TEXT NOT NULL,
  user_id TEXT NOT NULL,
  client_id TEXT NOT NULL,
  detail TEXT NOT NULL
) STRICT;
)sql"},
    // Client lists gain two kinds (which a CHECK constraint cannot be altered to allow), so the
    // table is rebuilt under a name that fits values that are not all URIs.
    {3, R"sql(
CREATE TABLE client_values (
  client_id TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
  kind TEXT NOT NULL
    CHECK (kind IN ('redirect', 'post_logout_redirect', 'web_origin', 'resource_server_for')),
  position INTEGER NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (client_id, kind, position)
) STRICT, WITHOUT ROWID;
INSERT INTO client_values (client_id, kind, position, value)
  SELECT client_id, kind, position, uri FROM client_uris;
DROP TABLE client_uris;

-- Retention: what the upkeep purges is found by index, not by scanning the history.
CREATE INDEX sessions_ended ON sessions (ended_at) WHERE ended_at IS NOT NULL;
CREATE INDEX logout_notifications_settled ON logout_notifications (created_at)
  WHERE status != 'pending';
CREATE INDEX events_by_time ON events (at);

CREATE TABLE consents (
  user_id TEXT NOT NULL,
  client_id TEXT NOT NULL,
  scope TEXT NOT NULL,
  granted_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, client_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX tokens_by_user ON tokens (user_id) WHERE user_id IS NOT NULL;

CREATE TABLE server_secrets (
  name TEXT NOT NULL PRIMARY KEY,
  value TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
)sql"},
    {4, R"sql(
ALTER TABLE participants ADD COLUMN saml_name_id TEXT;
ALTER TABLE participants ADD COLUMN saml_name_id_format TEXT;
ALTER TABLE participants ADD COLUMN saml_name_qualifier TEXT;
ALTER TABLE participants ADD COLUMN saml_sp_name_qualifier TEXT;
ALTER TABLE participants ADD COLUMN saml_session_index TEXT;
CREATE INDEX participants_by_saml_session_index ON participants (client_id, saml_session_index)
  WHERE saml_session_index IS NOT NULL;

ALTER TABLE logout_contexts ADD COLUMN saml_initiator TEXT;

CREATE TABLE saml_service_providers (
  entity_id TEXT NOT NULL PRIMARY KEY,
  name TEXT NOT NULL,
  metadata_xml TEXT NOT NULL,
  name_id_format TEXT NOT NULL,
  released_attributes TEXT NOT NULL,
  require_signed_requests INTEGER NOT NULL,
  allow_idp_initiated INTEGER NOT NULL,
  slo_binding TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE saml_messages (
  issuer TEXT NOT NULL,
  id TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (issuer, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX saml_messages_by_expiry ON saml_messages (expires_at);
)sql"},
    {5, R"sql(
ALTER TABLE signing_keys ADD COLUMN activates_at INTEGER;
)sql"},
    {6, R"sql(
ALTER TABLE sessions ADD COLUMN idp TEXT NOT NULL DEFAULT 'local';
ALTER TABLE sessions ADD COLUMN amr TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN acr TEXT NOT NULL DEFAULT '';
ALTER TABLE authorization_codes ADD COLUMN idp TEXT NOT NULL DEFAULT 'local';
ALTER TABLE authorization_codes ADD COLUMN amr TEXT NOT NULL DEFAULT '';
ALTER TABLE authorization_codes ADD COLUMN acr TEXT NOT NULL DEFAULT '';

CREATE INDEX users_by_email ON users (email);

CREATE TABLE upstream_links (
  sid TEXT NOT NULL PRIMARY KEY,
  upstream TEXT NOT NULL,
  subject TEXT NOT NULL,
  session_id TEXT NOT NULL,
  id_token TEXT NOT NULL,
  saml_name_id_format TEXT,
  saml_name_qualifier TEXT,
  saml_sp_name_qualifier TEXT,
  created_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX upstream_links_by_session ON upstream_links (upstream, session_id);
CREATE INDEX upstream_links_by_subject ON upstream_links (upstream, subject);

CREATE TABLE upstream_requests (
  state_hash TEXT NOT NULL PRIMARY KEY,
  upstream TEXT NOT NULL,
  payload TEXT NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX upstream_requests_by_expiry ON upstream_requests (expires_at);

CREATE TABLE federated_identities (
  upstream TEXT NOT NULL,
  subject TEXT NOT NULL,
  user_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (upstream, subject)
) STRICT, WITHOUT ROWID;
)sql"},
    {7, R"sql(
ALTER TABLE logout_notifications ADD COLUMN lease_holder TEXT;
)sql"},
    // When codes were stored, a sign-out deleted its session's codes by this index (gone with the
    // table in migration 10).
    {8, R"sql(
CREATE INDEX authorization_codes_by_sid ON authorization_codes (sid);
)sql"},
    {9, R"sql(
ALTER TABLE clients ADD COLUMN access_token_audience TEXT;
)sql"},
    // A code is sealed and carries its own content (oidc/authorization_code.h); the store keeps
    // only which codes were redeemed. Keyed by expiry first: a code's expiry is sealed in it, so
    // (expires_at, code_hash) is unique exactly when the hash is, new rows land on the key's
    // last page, and the purge removes the key's front; one B-tree, no other index to write.
    // Codes stored by older builds were not sealed, so none of them can be redeemed any more.
    {10, R"sql(
DROP TABLE authorization_codes;
CREATE TABLE used_codes (
  expires_at INTEGER NOT NULL,
  code_hash TEXT NOT NULL,
  PRIMARY KEY (expires_at, code_hash)
) STRICT, WITHOUT ROWID;
)sql"},
    // Each client's grants (RFC 7591 `grant_types`). Clients registered before were allowed
    // every grant their kind allows: the code and refresh grants, and client_credentials for the
    // confidential ones; they keep exactly that.
    {11, R"sql(
ALTER TABLE clients ADD COLUMN grant_types TEXT NOT NULL
  DEFAULT 'authorization_code refresh_token';
UPDATE clients SET grant_types = 'authorization_code refresh_token client_credentials'
  WHERE secret_hash IS NOT NULL;
)sql"},
    // Tokens are looked up by user only to find offline grants by their refresh tokens
    // (RevokeOfflineGrants): an access token, one per sign-in, no longer adds an entry to an index
    // nobody reads it from. (Keying the table by the hash, WITHOUT ROWID, was measured too: a
    // sign-in flow then wrote 42 KB instead of 35 — full rows in a randomly keyed B-tree split more
    // pages.)
    {12, R"sql(
DROP INDEX tokens_by_user;
CREATE INDEX tokens_by_user ON tokens (user_id) WHERE kind = 'refresh';
)sql"},
    // End-users' opaque access tokens are sealed, not recorded (oidc/sealed_access_token.h): a
    // revoked grant is remembered here for as long as one of its access tokens may live. Rows are
    // few (revocations, not issuances), so the purge's scan needs no expiry index.
    {13, R"sql(
CREATE TABLE revoked_grants (
  grant_id TEXT NOT NULL PRIMARY KEY,
  expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
)sql"},
};

}  // namespace

std::span<const sql::Migration> Migrations() { return kMigrations; }

}  // namespace gh::store::sqlite
