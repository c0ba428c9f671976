#include "web/login_pages.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/html_escape.h"
#include "core/log.h"
#include "core/params.h"
#include "web/html.h"
#include "web/logout_pages.h"
#include "web/session_cookies.h"

namespace gh::web {
namespace {

constexpr std::size_t kMaxUsernameBytes = 256;
constexpr std::size_t kMaxPasswordBytes = 1024;

// The demand on the page's query, or on the form that carried it on after a failed attempt.
AuthenticationDemand DemandOf(const http::Request& request) {
  auto from = request.method == "POST" ? request.Form() : request.Query();
  return from.ok() ? ReadAuthenticationDemand(*from) : AuthenticationDemand{};
}

std::string StartUrl(const UpstreamOption& upstream, std::string_view return_to,
                     const AuthenticationDemand& demand) {
  Params params{{"return_to", std::string(return_to)}};
  const Params demanded = demand.ToParams();
  for (const auto& [name, value] : demanded.items()) params.Add(name, value);
  return upstream.start_path + "?" + params.Encode();
}

}  // namespace

Params AuthenticationDemand::ToParams() const {
  Params params;
  if (fresh) params.Add("prompt", "login");
  if (max_age_seconds) params.Add("max_age", std::to_string(*max_age_seconds));
  return params;
}

AuthenticationDemand ReadAuthenticationDemand(const Params& params) {
  AuthenticationDemand demand;
  // prompt may list several values (Core §3.1.2.1); only login concerns the upstream.
  std::string prompt = " " + params.Get("prompt").value_or("") + " ";
  demand.fresh = prompt.find(" login ") != std::string::npos;
  auto max_age = params.Get("max_age");
  if (max_age && !max_age->empty() && max_age->size() <= 9 &&
      max_age->find_first_not_of("0123456789") == std::string::npos)
    demand.max_age_seconds = std::stoll(*max_age);
  return demand;
}

bool IsLocalPath(std::string_view target) {
  if (target.empty() || target[0] != '/') return false;
  if (target.size() > 1 && (target[1] == '/' || target[1] == '\\')) return false;
  for (char c : target)
    if (static_cast<unsigned char>(c) < 0x20 || c == '\\') return false;
  return true;
}

LoginPages::LoginPages(store::Store& store, session::SessionAuthority& sessions,
                       const crypto::PasswordHasher& hasher, const Csrf& csrf,
                       LoginThrottle& throttle, session::EventLog& events, LoginSettings settings)
    : store_(store),
      sessions_(sessions),
      hasher_(hasher),
      csrf_(csrf),
      throttle_(throttle),
      events_(events),
      secure_cookies_(settings.secure_cookies),
      upstreams_(std::move(settings.upstreams)),
      decoy_hash_(hasher.Hash("decoy password for unknown users").value_or("")),
      password_checks_(std::max(1, settings.max_password_checks)) {}

void LoginPages::Register(http::Router& router) {
  router.Add("GET", "/", [this](const http::Request& r) { return ShowHome(r); });
  router.Add("GET", "/login", [this](const http::Request& r) { return ShowLogin(r); });
  router.Add("POST", "/login", [this](const http::Request& r) { return SubmitLogin(r); });
}

http::Response LoginPages::RenderLogin(const http::Request& request, std::string_view return_to,
                                       std::string_view username, std::string_view error,
                                       int status) const {
  http::Response response;
  std::string token = csrf_.Issue(request, response);
  std::string body = "<h1>Sign in</h1>";
  if (!error.empty()) body += "<p class=\"error\" role=\"alert\">" + EscapeHtml(error) + "</p>";
  body += "<form method=\"post\" action=\"/login\">";
  body += "<input type=\"hidden\" name=\"" + std::string(kCsrfFieldName) + "\" value=\"" +
          EscapeHtml(token) + "\">";
  body += "<input type=\"hidden\" name=\"return_to\" value=\"" + EscapeHtml(return_to) + "\">";
  const AuthenticationDemand demand = DemandOf(request);
  const Params demanded = demand.ToParams();
  for (const auto& [name, value] : demanded.items()) body += HiddenField(name, value);
  body +=
      "<label for=\"username\">Username</label><input type=\"text\" id=\"username\" "
      "name=\"username\" autocomplete=\"username\" required autofocus value=\"" +
      EscapeHtml(username) + "\">";
  body +=
      "<label for=\"password\">Password</label><input type=\"password\" id=\"password\" "
      "name=\"password\" autocomplete=\"current-password\" required>";
  body += "<button type=\"submit\">Sign in</button></form>";
  for (const auto& upstream : upstreams_) {
    std::string href = StartUrl(upstream, return_to, demand);
    body += "<p><a class=\"upstream\" href=\"" + EscapeHtml(href) + "\">Sign in with " +
            EscapeHtml(upstream.display_name) + "</a></p>";
  }
  response.status = status;
  response.headers.Set("Content-Type", "text/html; charset=utf-8");
  response.body = Page("Sign in", body);
  response.NoStore();
  return response;
}

http::Response LoginPages::ShowLogin(const http::Request& request) const {
  auto query = request.Query();
  std::string return_to = query.ok() ? query->Get("return_to").value_or("/") : "/";
  if (!IsLocalPath(return_to)) return_to = "/";
  // idp_hint names the upstream to sign in with, skipping this page (an unknown one is ignored:
  // the person can still choose).
  auto hint = query.ok() ? query->Get("idp_hint") : std::nullopt;
  for (const auto& upstream : upstreams_) {
    if (hint != upstream.id && hint != upstream.issuer) continue;
    auto response = http::Response::Redirect(StartUrl(upstream, return_to, DemandOf(request)));
    response.NoStore();
    return response;
  }
  return RenderLogin(request, return_to, "", "", 200);
}

http::Response LoginPages::SubmitLogin(const http::Request& request) const {
  auto form = request.Form();
  if (!form.ok()) return ErrorPage(400, "Bad request", "The sign-in form was malformed.");
  std::string return_to = form->Get("return_to").value_or("/");
  if (!IsLocalPath(return_to)) return_to = "/";
  std::string username = form->Get("username").value_or("");
  std::string password = form->Get("password").value_or("");

  if (!csrf_.Verify(request, *form)) {
    Log(LogLevel::kWarn, "login.csrf_rejected", {{"remote", request.remote_address}});
    return RenderLogin(request, return_to, username, "Your sign-in form expired. Please try again.",
                       403);
  }
  if (username.size() > kMaxUsernameBytes || password.size() > kMaxPasswordBytes)
    return RenderLogin(request, return_to, "", "Invalid username or password.", 401);

  // Before any hashing: a throttled guess costs the IdP next to nothing.
  if (auto wait = throttle_.Wait(username, request.remote_address))
    return RefuseThrottled(request, return_to, username, *wait);
  auto user = store_.FindUserByUsername(username);
  if (!user.ok()) return ErrorPage(503, "Unavailable", "Please try again shortly.");
  if (!password_checks_.try_acquire()) {
    Log(LogLevel::kWarn, "login.throttled", {{"remote", request.remote_address}});
    auto busy =
        RenderLogin(request, return_to, username,
                    "Too many sign-in attempts right now. Please try again in a moment.", 503);
    busy.headers.Set("Retry-After", "1");
    return busy;
  }
  bool valid = user->has_value() ? hasher_.Verify((*user)->password_hash, password)
                                 : (hasher_.Verify(decoy_hash_, password), false);
  password_checks_.release();
  if (!valid) {
    NoteFailure(request, username);
    return RenderLogin(request, return_to, username, "Invalid username or password.", 401);
  }
  throttle_.Succeeded(username);

  auto started =
      sessions_.SignIn((*user)->id, request.Cookie(session::kSessionCookieName).value_or(""),
                       {.idp = "local", .amr = {"pwd"}, .acr = ""});
  if (!started.ok()) return ErrorPage(503, "Unavailable", "Please try again shortly.");
  Log(LogLevel::kInfo, "login.succeeded",
      {{"sub", (*user)->id}, {"sid", started->session.sid}, {"remote", request.remote_address}});

  auto response = http::Response::Redirect(return_to, 303);
  SetSessionCookies(response, started->cookie_value, started->session.browser_state,
                    request.secure || secure_cookies_);
  response.NoStore();
  return response;
}

http::Response LoginPages::RefuseThrottled(const http::Request& request, std::string_view return_to,
                                           std::string_view username, Seconds wait) const {
  events_.CountThrottledLogin();
  Log(LogLevel::kInfo, "login.refused_throttled",
      {{"username", std::string(username)},
       {"remote", request.remote_address},
       {"retry_after", static_cast<std::int64_t>(wait.count())}});
  auto response =
      RenderLogin(request, return_to, username,
                  "Too many failed sign-in attempts. Please wait " + std::to_string(wait.count()) +
                      (wait.count() == 1 ? " second" : " seconds") + " before trying again.",
                  429);
  response.headers.Set("Retry-After", std::to_string(wait.count()));
  return response;
}

void LoginPages::NoteFailure(const http::Request& request, std::string_view username) const {
  Log(LogLevel::kInfo, "login.failed",
      {{"username", std::string(username)}, {"remote", request.remote_address}});
  if (!throttle_.Failed(username, request.remote_address)) return;
  // Recorded once per key that starts waiting, not per refused attempt: a flood of guesses must
  // not become a flood of writes.
  nlohmann::json detail = {{"username", username}, {"source", request.remote_address}};
  session::Event event{std::string(session::kEventLoginThrottled), "", "", "",
                       detail.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
  if (auto appended = events_.Append(store_, event); !appended.ok())
    Log(LogLevel::kWarn, "login.event_failed", {{"error", appended.error().message}});
  events_.Publish(event);
}

http::Response LoginPages::ShowHome(const http::Request& request) const {
  auto cookie = request.Cookie(session::kSessionCookieName);
  auto session = sessions_.Resolve(cookie.value_or(""));
  http::Response response;
  std::string body;
  if (session.ok() && session->has_value()) {
    auto user = store_.FindUserById((*session)->user_id);
    std::string name = user.ok() && user->has_value() ? (*user)->username : (*session)->user_id;
    body = "<h1>Signed in</h1><p>You are signed in to Gatehouse as <strong>" + EscapeHtml(name) +
           "</strong>.</p>" + SignOutForms(csrf_.Issue(request, response));
  } else {
    body =
        "<h1>Welcome</h1><p>You are not signed in.</p>"
        "<p><a href=\"/login\">Sign in</a></p>";
  }
  response.status = 200;
  response.headers.Set("Content-Type", "text/html; charset=utf-8");
  response.body = Page("Gatehouse", body);
  response.NoStore();
  return response;
}

}  // namespace gh::web
