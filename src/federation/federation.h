// Federation: signing in through upstream identity providers, and signing out of them too.
//
//   GET  /upstream/{id}/start?return_to=…   "Sign in with …": off to the upstream (code + PKCE)
//   GET  /upstream/{id}/callback            back from it: validated, linked, IdP session started
//   GET  /upstream/sign-out?state=…         after our own sign-out: ask, or go on to the upstream
//   GET  /upstream/{id}/signed-out?state=…  back from the upstream's sign-out: finish ours
//   POST /upstream/{id}/backchannel-logout  the upstream signed the person out (Back-Channel 1.0)
//   GET  /upstream/{id}/frontchannel-logout the same in its browser iframe (Front-Channel 1.0)
// and for a SAML 2.0 upstream, with Gatehouse as its service provider:
//   GET  /upstream/{id}/saml                our SP metadata (the entityID is this URL)
//   POST /upstream/{id}/saml/acs            the IdP's Response (HTTP-POST)
//   *    /upstream/{id}/saml/slo            its LogoutResponse back from our sign-out, or its own
//                                           LogoutRequest (HTTP-Redirect, HTTP-POST, SOAP)
//
// Each IdP session records the upstream session it came from (store::UpstreamLinkRecord), so a
// sign-out in either direction finds the other side. Upstream-initiated sign-outs end the local
// sessions through SessionAuthority like any other, notifying every participant, and never send
// anything back to the upstream that started them.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <variant>
#include <vector>

#include "core/clock.h"
#include "core/random.h"
#include "federation/account_linker.h"
#include "federation/oidc_upstream.h"
#include "federation/upstream_settings.h"
#include "http/client.h"
#include "http/router.h"
#include "saml/bindings.h"
#include "saml/idp_signer.h"
#include "session/event_log.h"
#include "session/session_authority.h"
#include "signout/sign_out_flow.h"
#include "store/store.h"
#include "web/csrf.h"
#include "web/login_pages.h"

namespace gh::federation {

// The sign-in page's path of upstream `id`.
std::string StartPath(std::string_view upstream_id);

struct FederationContext {
  std::string issuer;
  store::Store& store;
  session::SessionAuthority& sessions;
  signout::SignOutFlow& sign_out;
  session::EventLog& events;
  const web::Csrf& csrf;
  http::HttpClient& http;
  saml::IdpSigner& saml_signer;  // signs as the SAML service provider of SAML upstreams
  Clock& clock;
  Random& random;
};

class Federation final : public signout::UpstreamSignOut {
 public:
  Federation(FederationContext context, std::vector<UpstreamSettings> upstreams);
  ~Federation() override;

  void Register(http::Router& router);
  // The upstreams for the sign-in page.
  std::vector<web::UpstreamOption> Choices() const;

  std::optional<std::string> Detour(const store::SessionRecord& session,
                                    const std::optional<std::string>& continue_to) override;

 private:
  struct Upstream;

  http::Response Start(const http::Request& request, Upstream& upstream);
  http::Response Callback(const http::Request& request, Upstream& upstream);
  http::Response SamlAcs(const http::Request& request, Upstream& upstream);
  // Takes the sign-in round trip under `state` and checks it was started by this browser; the
  // payload, or the page that refuses.
  std::variant<nlohmann::json, http::Response> TakeSignIn(const http::Request& request,
                                                          Upstream& upstream,
                                                          const std::optional<std::string>& state);
  // Links the person the upstream vouched for and starts the IdP session.
  http::Response CompleteSignIn(const http::Request& request, Upstream& upstream,
                                Result<UpstreamIdentity> identity, const nlohmann::json& payload);
  http::Response SignInRefused(const Upstream& upstream, int status, const std::string& reason,
                               const std::string& message);

  http::Response SignOutStep(const http::Request& request);
  http::Response SignedOutUpstream(const http::Request& request, Upstream& upstream);
  http::Response SamlSlo(const http::Request& request, Upstream& upstream);
  http::Response SamlSignedOut(saml::InboundMessage inbound, Upstream& upstream);
  http::Response SamlLogoutRequest(const http::Request& request, saml::InboundMessage inbound,
                                   Upstream& upstream);
  // Takes the sign-out round trip under `state`: its payload, or nullopt when the state is not
  // one of ours (unknown, expired, used, or another upstream's); kUnavailable on a store error.
  Result<std::optional<nlohmann::json>> TakeSignOut(const std::optional<std::string>& state,
                                                    const Upstream& upstream);
  http::Response BackChannelLogout(const http::Request& request, Upstream& upstream);
  http::Response FrontChannelLogout(const http::Request& request, Upstream& upstream);

  // Sends the browser to the upstream's sign-out for the pending sign-out under `state`, or,
  // when that cannot be done, finishes it with a page that says so.
  http::Response GoUpstream(const std::string& state, const store::UpstreamRequestRecord& pending);
  // A return from the upstream that matches no sign-out of ours: recorded, and a page saying so.
  http::Response UnmatchedReturn(const Upstream& upstream, std::string_view reason);
  // The end of a sign-out whose upstream leg is over: back to the application when the upstream
  // confirmed, else a page saying what could not be confirmed.
  http::Response FinishSignOut(const Upstream& upstream,
                               const std::optional<std::string>& continue_to, bool confirmed,
                               std::string_view why);
  // Ends the local sessions `sids` that came from the upstream; kUnavailable on a store error.
  Result<std::vector<session::SessionEnding>> EndFromUpstream(const Upstream& upstream,
                                                              const std::vector<std::string>& sids,
                                                              std::string_view channel);
  void Record(std::string_view type, const std::string& sid, const std::string& user_id,
              const Upstream& upstream, nlohmann::json detail);
  Upstream* Find(const std::string& id);
  bool SecureCookies(const http::Request& request) const;
  std::string UpstreamUri(const Upstream& upstream, std::string_view endpoint) const;

  FederationContext context_;
  AccountLinker linker_;
  std::map<std::string, std::unique_ptr<Upstream>, std::less<>> upstreams_;
};

}  // namespace gh::federation
