// SamlSettings and SamlContext: the SAML identity provider's configuration and the collaborators
// its endpoints share.
#pragma once

#include <string>

#include "core/clock.h"
#include "core/random.h"
#include "saml/idp_signer.h"
#include "saml/inbound.h"
#include "saml/service_providers.h"
#include "session/session_authority.h"
#include "signout/sign_out_flow.h"
#include "store/store.h"

namespace gh::saml {

inline constexpr std::string_view kMetadataPath = "/saml/metadata";
inline constexpr std::string_view kSsoPath = "/saml/sso";
inline constexpr std::string_view kSsoContinuePath = "/saml/sso/continue";
inline constexpr std::string_view kIdpInitiatedPath = "/saml/sso/idp-initiated";
inline constexpr std::string_view kSloPath = "/saml/slo";
inline constexpr std::string_view kSloFinishPath = "/saml/slo/finish";
// Where the signed-out page's iframe posts a LogoutRequest to an SP that takes only HTTP-POST.
inline constexpr std::string_view kSloFramePath = "/saml/slo/frame";
// The server secret (ServerSecretStore) behind the values SAML hands the browser and takes back.
inline constexpr std::string_view kSamlSecretName = "saml";
// How long a browser sign-out step (saml/browser_logout_step.h) can be taken.
inline constexpr Seconds kBrowserStepLifetime{600};
// ParticipantRecord::protocol of SAML service providers.
inline constexpr std::string_view kSamlProtocol = "saml";

struct SamlSettings {
  std::string issuer;  // the OIDC issuer; SAML URLs hang below it
  Seconds assertion_lifetime{300};
  Seconds clock_skew = kDefaultClockSkew;  // accepted difference between a sender's clock and ours
  Seconds message_window = kDefaultMessageWindow;  // how old a request may be (and its ID kept)
  std::string entity_id() const { return issuer + std::string(kMetadataPath); }
  std::string sso_url() const { return issuer + std::string(kSsoPath); }
  std::string slo_url() const { return issuer + std::string(kSloPath); }
  std::string slo_frame_url() const { return issuer + std::string(kSloFramePath); }
};

struct SamlContext {
  const SamlSettings& settings;
  store::Store& store;
  session::SessionAuthority& sessions;
  ServiceProviders& service_providers;
  IdpSigner& signer;
  const signout::SignOutFlow& sign_out;
  Clock& clock;
  Random& random;
  // Keys the HMACs of values Gatehouse hands the browser and takes back (sign-in continuation,
  // persistent NameIDs); shared by every node through the store.
  std::string secret;
};

}  // namespace gh::saml
