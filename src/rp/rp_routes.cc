#include "rp/rp_routes.h"

#include <string_view>

namespace gh::rp {
namespace {

// The path of an absolute URI: what the router sees of a request sent to it.
std::string PathOf(std::string_view uri) {
  const auto scheme = uri.find("://");
  const auto start = uri.find('/', scheme == std::string_view::npos ? 0 : scheme + 3);
  if (start == std::string_view::npos) return "/";
  return std::string(uri.substr(start, uri.find_first_of("?#", start) - start));
}

}  // namespace

void RegisterRpRoutes(http::Router& router, RpClient& client, const RpPaths& paths) {
  using http::Request;
  router.Add("GET", paths.login, [&client](const Request& r) { return client.Login(r); });
  router.Add("GET", PathOf(client.config().redirect_uri),
             [&client](const Request& r) { return client.Callback(r); });
  router.Add("GET", paths.logout, [&client](const Request& r) { return client.LogoutPage(r); });
  router.Add("POST", paths.logout, [&client](const Request& r) { return client.Logout(r); });
  router.Add("GET", PathOf(client.config().post_logout_redirect_uri),
             [&client](const Request& r) { return client.SignedOut(r); });
  router.Add("GET", paths.frontchannel_logout,
             [&client](const Request& r) { return client.FrontChannelLogout(r); });
  router.Add("POST", paths.backchannel_logout,
             [&client](const Request& r) { return client.BackChannelLogout(r); });
  router.Add("GET", paths.session_iframe, [&client, login = paths.login](const Request& r) {
    return client.SessionIframe(r, login);
  });
}

}  // namespace gh::rp
