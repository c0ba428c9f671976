// UpstreamSettings: one upstream identity provider people may sign in through, as the operator
// configures it in an [[upstream]] table (docs/FEDERATION.md).
#pragma once

#include <optional>
#include <string>

#include "saml/metadata.h"

namespace gh::federation {

// What to do with a person the upstream vouches for who has no local account linked yet.
enum class UnknownUsers {
  kRefuse,     // only people linked before (or matched by link_claim) may sign in
  kProvision,  // create a local user from the upstream's claims
};

// Whether signing out of Gatehouse also signs out of the upstream.
enum class SignOutMode { kAlways, kAsk, kNever };

enum class Protocol { kOidc, kSaml };

struct UpstreamSettings {
  std::string id;            // lower-case letters, digits and '-': in URLs and the idp claim
  std::string display_name;  // "Sign in with <display_name>"
  Protocol protocol = Protocol::kOidc;

  // A SAML 2.0 identity provider: its EntityDescriptor, read and parsed from metadata_file when
  // the configuration is. Gatehouse is its service provider, entityID <issuer>/upstream/<id>/saml.
  std::optional<saml::IdpMetadata> saml_idp;

  // An OpenID Connect provider, found by discovery from its issuer. For a SAML upstream, its
  // entityID (filled from the metadata).
  std::string issuer;
  std::string client_id;
  std::optional<std::string> client_secret;  // client_secret_basic; a public client without
  std::string scope = "openid profile email";

  // Which upstream claims (SAML: attribute Names or FriendlyNames) fill the local user's fields
  // when one is provisioned.
  std::string username_claim = "preferred_username";
  std::string name_claim = "name";
  std::string email_claim = "email";
  // How a person is matched to an existing local user the first time they come: by email
  // (only when the upstream says it is verified: email_verified; SAML has no such claim, so
  // choosing email for a SAML upstream trusts its email attribute), by username, or not at all.
  enum class LinkBy { kNone, kEmail, kUsername } link_by = LinkBy::kNone;
  UnknownUsers unknown_users = UnknownUsers::kRefuse;
  SignOutMode sign_out = SignOutMode::kAlways;
};

}  // namespace gh::federation
