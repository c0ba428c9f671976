// RegisterRpRoutes: mounts an RpClient's handlers on a gh_http Router, so an app built on our
// Beast server gets sign-in and every kind of sign-out from one call.
#pragma once

#include <string>

#include "http/router.h"
#include "rp/rp_client.h"

namespace gh::rp {

// Paths of the routes that the configuration does not already fix: the callback and signed-out
// routes are the paths of RpConfig's redirect_uri and post_logout_redirect_uri.
struct RpPaths {
  std::string login = "/login";
  std::string logout = "/logout";
  std::string frontchannel_logout = "/logout/frontchannel";  // register as frontchannel_logout_uri
  std::string backchannel_logout = "/logout/backchannel";    // register as backchannel_logout_uri
  std::string session_iframe = "/session/iframe";            // embed in the app's pages
};

// GET login, GET callback, GET+POST logout, GET signed-out, GET front-channel, POST back-channel
// and GET session iframe. `client` must outlive `router`.
void RegisterRpRoutes(http::Router& router, RpClient& client, const RpPaths& paths = {});

}  // namespace gh::rp
