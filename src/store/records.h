// Records: the data the store keeps, as plain values. No behaviour, no I/O.
// Secrets (session keys, codes, tokens, client secrets) are kept only as SHA-256 hashes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"

namespace gh::store {

struct ClientRecord {
  std::string id;
  std::string name;                        // shown to people; defaults to the id
  std::optional<std::string> secret_hash;  // base64url SHA-256 of the secret; none for public
  bool is_public() const { return !secret_hash.has_value(); }
  std::vector<std::string> redirect_uris;  // matched exactly
  std::vector<std::string> post_logout_redirect_uris;
  // Origins (scheme://host[:port]) whose pages may call the token, userinfo and JWKS endpoints
  // and read discovery from a browser (CORS).
  std::vector<std::string> web_origins;
  // The clients whose tokens this client, acting as a resource server, may introspect (RFC 7662
  // §4); it may always introspect its own.
  std::vector<std::string> resource_server_for;
  std::optional<std::string> frontchannel_logout_uri;
  bool frontchannel_logout_session_required = true;
  std::optional<std::string> backchannel_logout_uri;
  bool backchannel_logout_session_required = true;
  std::string id_token_signed_response_alg = "RS256";
  // The resource server (RFC 9068 `aud`) of this client's access tokens. When set, they are JWTs
  // (RFC 9068) a resource server can check without asking; when not, opaque tokens it introspects.
  std::optional<std::string> access_token_audience;
  // The OAuth grants this client may use (RFC 7591 §2 `grant_types`): the token endpoint refuses
  // the others, and only a client allowed "refresh_token" is given refresh tokens.
  std::vector<std::string> grant_types{"authorization_code", "refresh_token", "client_credentials"};
  TimePoint created_at;
};

struct UserRecord {
  std::string id;             // the stable `sub`
  std::string username;       // unique
  std::string password_hash;  // argon2id encoded string
  std::string name;
  std::string email;
  TimePoint created_at;
};

// A SAML 2.0 service provider registered from its metadata, with the settings a deployment
// chooses for it. The metadata is kept as registered; saml/ reads its endpoints and keys from it.
struct SamlServiceProviderRecord {
  std::string entity_id;
  std::string name;  // shown to people; defaults to the entityID
  std::string metadata_xml;
  std::string name_id_format;                    // the NameID Format URI assertions carry
  std::vector<std::string> released_attributes;  // user attribute names sent in assertions
  // Whether AuthnRequests and LogoutRequests must be signed. Registration defaults it to true
  // when the metadata has a signing key; accepting unsigned ones is an explicit choice.
  bool require_signed_requests = true;
  bool allow_idp_initiated = false;  // IdP-initiated SSO from a link
  std::string slo_binding;           // preferred front-channel SLO binding URI; empty: any
  TimePoint created_at;
};

// How the person proved who they are when a session started or was last re-authenticated: with
// Gatehouse's own form ("local") or at an upstream identity provider (its id in the config).
// Tokens state it as the idp, amr and acr claims.
struct SignInMethod {
  std::string idp = "local";
  std::vector<std::string> amr;  // RFC 8176 method references, e.g. "pwd"
  std::string acr;               // the authentication context class; empty when none
  friend bool operator==(const SignInMethod&, const SignInMethod&) = default;
};

// An IdP browser session. The cookie carries a secret key; the store knows its hash. `sid` is a
// separate, non-secret identifier put into tokens and logout messages.
struct SessionRecord {
  std::string key_hash;
  std::string sid;
  std::string user_id;
  TimePoint auth_time;
  TimePoint created_at;
  TimePoint last_seen_at;
  std::optional<TimePoint> ended_at;
  std::string end_cause;  // empty while active; e.g. "rp_logout", "expired", "admin"
  // OP browser state (Session Management 1.0): a random value per session, hashed into every
  // session_state, so that state changes whenever the user signs in or out.
  std::string browser_state;
  SignInMethod method;
  bool active() const { return !ended_at.has_value(); }
};

// The subject a SAML service provider was sent in its assertion, exactly: its Single Logout
// messages must name it the same way, qualifiers included (SAML Core §3.7.1, §8.3).
struct SamlSubject {
  std::string name_id;
  std::string format;             // the NameID Format URI
  std::string name_qualifier;     // empty when absent
  std::string sp_name_qualifier;  // empty when absent
  std::string session_index;      // the AuthnStatement's SessionIndex, unique per participant
  friend bool operator==(const SamlSubject&, const SamlSubject&) = default;
};

// The upstream session an IdP session came from (federation/): what signing out upstream needs
// (the ID token for id_token_hint; the SAML NameID and SessionIndex), and what the upstream's own
// sign-out names (its sid, or its subject) to find the local sessions to end.
struct UpstreamLinkRecord {
  std::string sid;       // the local IdP session
  std::string upstream;  // the upstream's id in the configuration
  std::string subject;   // OIDC `sub`, or the SAML NameID value
  // OIDC `sid`, or the SAML SessionIndex; empty when the upstream sent none.
  std::string session_id;
  std::string id_token;             // OIDC only
  std::optional<SamlSubject> saml;  // SAML only: the NameID exactly as asserted
  TimePoint created_at;
  friend bool operator==(const UpstreamLinkRecord&, const UpstreamLinkRecord&) = default;
};

// A browser round trip to an upstream in progress — a sign-in or a sign-out — under the hash of
// the `state` (or RelayState) that comes back with it. Taken once.
struct UpstreamRequestRecord {
  std::string state_hash;
  std::string upstream;
  std::string payload;  // JSON: what federation/ needs to finish the step
  TimePoint expires_at;
  friend bool operator==(const UpstreamRequestRecord&, const UpstreamRequestRecord&) = default;
};

// A person's account at an upstream, tied to a local user the first time they come (by a claim
// such as a verified email, or by provisioning a user), so later sign-ins find the same user.
struct FederatedIdentityRecord {
  std::string upstream;
  std::string subject;
  std::string user_id;
  TimePoint created_at;
  friend bool operator==(const FederatedIdentityRecord&, const FederatedIdentityRecord&) = default;
};

// An application that was signed in within a session: whom sign-out must notify. `client_id`
// is the OIDC client id or the SAML service provider's entityID.
struct ParticipantRecord {
  std::string sid;
  std::string client_id;
  std::string protocol = "oidc";  // "oidc" or "saml"
  TimePoint first_seen_at;
  TimePoint last_seen_at;
  std::optional<SamlSubject> saml;  // for protocol "saml"
};

enum class TokenKind { kAccess, kRefresh };

struct TokenRecord {
  std::string token_hash;
  TokenKind kind = TokenKind::kAccess;
  std::string grant_id;
  std::string client_id;
  std::optional<std::string> user_id;  // none for client_credentials
  std::optional<std::string> sid;      // the IdP session the token belongs to
  std::string scope;
  TimePoint issued_at;
  TimePoint expires_at;
  bool revoked = false;
};

// What an end-user agreed a client may have beyond signing them in (OpenID Connect Core §11:
// offline_access), remembered so they are asked once, until they or an admin revoke it.
struct ConsentRecord {
  std::string user_id;
  std::string client_id;
  std::string scope;  // the consented scopes, space-separated
  TimePoint granted_at;
};

struct SigningKeyRecord {
  std::string kid;
  std::string alg;  // "RS256" or "ES256"
  std::string private_key_pem;
  TimePoint created_at;
  std::optional<TimePoint> retired_at;    // no longer signs after this
  std::optional<TimePoint> unpublish_at;  // removed from the JWKS after this
  // Signs from this time on (unset: from created_at). Published from created_at, so a rotation
  // announces the next key — in the JWKS and in SAML metadata, where SPs pin it — ahead of use.
  std::optional<TimePoint> activates_at;
};

enum class NotificationStatus { kPending, kDelivered, kFailed };

// The status as the store, the CLI, the admin API and the signed-out page spell it.
constexpr const char* ToString(NotificationStatus status) {
  switch (status) {
    case NotificationStatus::kPending:
      return "pending";
    case NotificationStatus::kDelivered:
      return "delivered";
    case NotificationStatus::kFailed:
      return "failed";
  }
  return "pending";
}

// One logout notification to one participant: the outbox row back-channel delivery works from.
struct LogoutNotificationRecord {
  std::int64_t id = 0;  // assigned by the store
  std::string sid;
  std::string user_id;
  std::string client_id;
  std::string channel;  // session::ChannelName: how it is delivered
  NotificationStatus status = NotificationStatus::kPending;
  int attempts = 0;
  std::string last_error;
  TimePoint created_at;
  TimePoint next_attempt_at;
  std::optional<TimePoint> lease_until;  // set while a worker holds the row
  std::string lease_holder;              // which dispatcher claimed it last; empty if none
  std::optional<TimePoint> delivered_at;
};

struct NotificationCounts {
  std::int64_t pending = 0;
  std::int64_t delivered = 0;
  std::int64_t failed = 0;
};

// The short-lived, single-use server-side context of one sign-out (its id is the `logoutId`),
// carried through confirmation and the signed-out page instead of the URL.
struct LogoutContextRecord {
  std::string id_hash;
  std::string sid;                                      // the session to end; empty if none known
  std::optional<std::string> client_id;                 // the RP that asked, when identified
  std::optional<std::string> post_logout_redirect_uri;  // already validated against client_id
  std::optional<std::string> state;
  std::optional<std::string> ui_locales;
  // When a SAML service provider's LogoutRequest started the sign-out over a browser binding:
  // whom to answer, and how (SAML Profiles §4.4.4.2).
  struct SamlInitiator {
    std::string entity_id;
    std::string request_id;    // the answer's InResponseTo
    std::string binding;       // the binding URI the request came over, and the answer goes back
    std::string response_url;  // the SP's ResponseLocation (else Location) for that binding
    std::optional<std::string> relay_state;  // echoed byte for byte
    friend bool operator==(const SamlInitiator&, const SamlInitiator&) = default;
  };
  std::optional<SamlInitiator> saml_initiator;
  TimePoint created_at;
  TimePoint expires_at;
  std::optional<TimePoint> used_at;  // set once the sign-out it describes was carried out
};

// An audit event: sign-out started, session ended, notification delivered/retried/given up.
struct EventRecord {
  std::int64_t id = 0;  // assigned by the store, increasing
  TimePoint at;
  std::string type;  // e.g. "logout.started", "session.ended", "notification.delivered"
  std::string sid;
  std::string user_id;
  std::string client_id;
  std::string detail;  // JSON object text with type-specific fields
};

}  // namespace gh::store
