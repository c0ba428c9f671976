// Federation: signing in through upstream identity providers, and signing out of them too.
//
//   GET  /upstream/{id}/start?return_to=…   "Sign in with …": off to the upstream (code + PKCE)
//   GET  /upstream/{id}/callback            back from it: validated, linked, IdP session started
//   GET  /upstream/sign-out?state=…         after our own sign-out: ask, or go on to the upstream
//   GET  /upstream/{id}/signed-out?state=…  back from the upstream's sign-out: finish ours
//   POST /upstream/{id}/backchannel-logout  the upstream signed the person out (Back-Channel 1.0)
//   GET  /upstream/{id}/frontchannel-logout the same in its browser iframe (Front-Channel 1.0)
//
// Each IdP session records the upstream session it came from (store::UpstreamLinkRecord), so a
// sign-out in either direction finds the other side. Upstream-initiated sign-outs end the local
// sessions through SessionAuthority like any other, notifying every participant, and never send
// anything back to the upstream that started them.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/random.h"
#include "federation/account_linker.h"
#include "federation/oidc_upstream.h"
#include "federation/upstream_settings.h"
#include "http/client.h"
#include "http/router.h"
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
  http::Response SignOutStep(const http::Request& request);
  http::Response SignedOutUpstream(const http::Request& request, Upstream& upstream);
  http::Response BackChannelLogout(const http::Request& request, Upstream& upstream);
  http::Response FrontChannelLogout(const http::Request& request, Upstream& upstream);

  // Sends the browser to the upstream's sign-out for the pending sign-out under `state`, or,
  // when that cannot be done, finishes it with a page that says so.
  http::Response GoUpstream(const std::string& state, const store::UpstreamRequestRecord& pending);
  // The end of a sign-out whose upstream leg is over: back to the application when the upstream
  // confirmed, else a page saying what could not be confirmed.
  http::Response FinishSignOut(const Upstream& upstream,
                               const std::optional<std::string>& continue_to, bool confirmed,
                               std::string_view why);
  // Ends every local session that came from the upstream session; kUnavailable on a store error.
  Result<std::vector<session::SessionEnding>> EndFromUpstream(
      const Upstream& upstream, std::optional<std::string_view> subject,
      std::optional<std::string_view> upstream_sid, std::string_view channel);
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
