#include "web/logout_pages.h"

#include <algorithm>

#include "core/html_escape.h"
#include "core/params.h"
#include "crypto/digest.h"
#include "web/csrf.h"
#include "web/html.h"

namespace gh::web {
namespace {

// Runs the front-channel iframes and polls back-channel progress, then continues or stays. It
// reads everything from the page (data-* attributes), so it is one constant allowed by its hash.
constexpr std::string_view kSignedOutScript = R"js((function () {
  var d = document, deadline = Date.now() + 3000, framesLeft = 0;
  var TEXT = {
    done: 'signed out',
    pending: 'will be notified when it is reachable',
    failed: 'could not be notified; it may still be signed in',
    missed: 'did not confirm; it may still be signed in'
  };
  var RANK = {delivered: 0, failed: 1, pending: 2};
  var rows = [].slice.call(d.querySelectorAll('li[data-client]'));
  // Keyed by client_id, which may be any string ("constructor" too): no prototype.
  var listed = Object.create(null);
  rows.forEach(function (li) { listed[li.getAttribute('data-client')] = true; });
  // The applications past the named few, counted by back-channel status.
  var more = d.querySelector('li[data-more]');
  var morePending = more ? Number(more.getAttribute('data-pending')) : 0;
  var polls = [].slice.call(d.querySelectorAll('[data-poll]')).map(function (e) {
    return e.getAttribute('data-poll');
  });
  function show(li, key) {
    li.setAttribute('data-state', key);
    li.querySelector('.status').textContent = TEXT[key];
  }
  function refresh(li) {
    if (li === more) return;
    var bc = li.getAttribute('data-bc');
    if ((li.frames > 0 && li.loaded === li.frames) || bc === 'delivered') show(li, 'done');
    else if (bc === 'pending' || bc === 'failed') show(li, bc);
  }
  function pending() {
    return polls.length > 0 && (morePending > 0 || rows.some(function (li) {
      return li.getAttribute('data-bc') === 'pending';
    }));
  }
  function summarize(answers) {
    var worst = Object.create(null), n = {delivered: 0, pending: 0, failed: 0};
    answers.forEach(function (a) {
      Object.keys(a.clients || {}).forEach(function (id) {
        var s = a.clients[id];
        if (listed[id] || !(s in RANK)) return;
        if (!(id in worst) || RANK[s] > RANK[worst[id]]) worst[id] = s;
      });
    });
    Object.keys(worst).forEach(function (id) { n[worst[id]]++; });
    morePending = n.pending;
    more.querySelector('.status').textContent = n.delivered + ' signed out, ' + n.pending +
        ' to be notified when reachable, ' + n.failed + ' could not be notified';
  }
  rows.concat(more ? [more] : []).forEach(function (li) {
    var frames = [].slice.call(li.querySelectorAll('[data-frame]'));
    li.frames = frames.length;
    li.loaded = 0;
    frames.forEach(function (e) {
      var f = d.createElement('iframe');
      f.hidden = true;
      f.title = 'sign-out';
      framesLeft++;
      f.addEventListener('load', function () {
        li.loaded++;
        framesLeft--;
        refresh(li);
      });
      f.src = e.getAttribute('data-frame');
      d.body.appendChild(f);
    });
  });
  function poll() {
    return Promise.all(polls.map(function (u) {
      return fetch(u, {credentials: 'omit', cache: 'no-store'}).then(function (r) {
        return r.ok ? r.json() : {};
      }, function () { return {}; });
    })).then(function (answers) {
      rows.forEach(function (li) {
        var id = li.getAttribute('data-client'), worst = null;
        answers.forEach(function (a) {
          var s = a.clients && a.clients[id];
          if (s in RANK && (worst === null || RANK[s] > RANK[worst])) worst = s;
        });
        if (worst !== null) li.setAttribute('data-bc', worst);
        refresh(li);
      });
      if (more) summarize(answers);
    });
  }
  function finish() {
    rows.forEach(function (li) {
      if (li.loaded < li.frames && li.getAttribute('data-bc') !== 'delivered') show(li, 'missed');
    });
    var next = d.getElementById('continue');
    if (next) location.replace(next.href);
  }
  function loop() {
    if ((framesLeft > 0 || pending()) && Date.now() < deadline) {
      (pending() ? poll() : Promise.resolve()).then(function () { setTimeout(loop, 500); });
    } else {
      finish();
    }
  }
  loop();
})();)js";

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += " " + item;
  return out;
}

// Pages with their own policy: the shared stylesheet by hash, nothing else unless listed.
http::Response PolicedPage(std::string_view title, std::string_view body, std::string policy,
                           std::string_view frame_ancestors = "'none'") {
  auto response = http::Response::Html(200, Page(title, body));
  response.headers.Set("Content-Security-Policy",
                       "default-src 'none'; style-src " + PageStyleSource() + "; " + policy +
                           "; base-uri 'none'; frame-ancestors " + std::string(frame_ancestors));
  // The front-channel URLs carry sids: the apps they load must not learn them from a Referer.
  response.headers.Set("Referrer-Policy", "no-referrer");
  response.NoStore();
  return response;
}

// The status shown before the script runs (and without scripts).
std::string InitialStatus(const SignedOutApp& app) {
  using BC = SignedOutApp::BackChannel;
  if (app.backchannel == BC::kDelivered) return "signed out";
  if (!app.frontchannel_urls.empty()) return "signing out in this browser";
  switch (app.backchannel) {
    case BC::kPending:
      return "will be notified when it is reachable";
    case BC::kFailed:
      return "could not be notified; it may still be signed in";
    default:
      return "not notified: it registered no sign-out address";
  }
}

const char* BackChannelName(SignedOutApp::BackChannel bc) {
  switch (bc) {
    case SignedOutApp::BackChannel::kPending:
      return "pending";
    case SignedOutApp::BackChannel::kDelivered:
      return "delivered";
    case SignedOutApp::BackChannel::kFailed:
      return "failed";
    case SignedOutApp::BackChannel::kNone:
      break;
  }
  return "none";
}

}  // namespace

namespace {

// Offline access survives a sign-out by design (Back-Channel Logout 1.0 §2.7); ending it too is
// the person's explicit choice, offered wherever they sign out.
std::string OfflineCheckbox() {
  return "<label><input type=\"checkbox\" name=\"" + std::string(kEndOfflineField) +
         "\" value=\"1\"> Also end the offline access I gave applications</label>";
}

}  // namespace

http::Response ConfirmationPage(const LogoutConfirmation& confirmation) {
  std::string body = "<h1>Sign out?</h1><p>";
  body += confirmation.client_name
              ? "<strong>" + EscapeHtml(*confirmation.client_name) + "</strong> asks"
              : std::string("A sign-out request asks");
  body += " to sign you out of Gatehouse and of every application you signed in to with it.</p>";
  if (!confirmation.notice.empty())
    body += "<p class=\"muted\">" + EscapeHtml(confirmation.notice) + "</p>";
  body += "<form method=\"post\" action=\"" + std::string(kLogoutConfirmPath) + "\">";
  body += HiddenField(kCsrfFieldName, confirmation.csrf_token);
  body += HiddenField(kLogoutIdField, confirmation.logout_id);
  body += OfflineCheckbox();
  body +=
      "<button type=\"submit\" name=\"action\" value=\"signout\" autofocus>Sign out</button>"
      "<button type=\"submit\" name=\"action\" value=\"stay\" class=\"secondary\">Stay signed "
      "in</button></form>";
  return PolicedPage("Sign out", body, "form-action 'self'");
}

// How many applications the signed-out page names; the rest are summarised in one line, so a
// sign-out of a thousand applications does not make a page of a thousand rows.
constexpr std::size_t kNamedApps = 30;

std::string FrameMarkers(const SignedOutApp& app, std::string& noscript_frames) {
  std::string out;
  for (const auto& url : app.frontchannel_urls) {
    out += "<span hidden data-frame=\"" + EscapeHtml(url) + "\"></span>";
    noscript_frames +=
        "<iframe hidden title=\"sign-out\" src=\"" + EscapeHtml(url) + "\"></iframe>";
  }
  return out;
}

http::Response SignedOutPage(const SignedOut& signed_out) {
  std::string body = "<h1>You are signed out</h1>";
  if (!signed_out.notice.empty())
    body += "<p class=\"muted\">" + EscapeHtml(signed_out.notice) + "</p>";
  body += "<div id=\"signout\">";
  for (const auto& id : signed_out.logout_ids)
    body += "<span hidden data-poll=\"" + EscapeHtml(std::string(kLogoutStatusPath)) + "?" +
            EscapeHtml(Params{{std::string(kLogoutIdField), id}}.Encode()) + "\"></span>";
  std::string noscript_frames;
  if (signed_out.apps.empty()) {
    body += "<p>No application had signed in with this session.</p>";
  } else {
    body += "<p>Applications you used:</p><ul class=\"apps\">";
    const std::size_t named = std::min(signed_out.apps.size(), kNamedApps);
    for (std::size_t i = 0; i < named; ++i) {
      const auto& app = signed_out.apps[i];
      body += "<li data-client=\"" + EscapeHtml(app.client_id) + "\" data-bc=\"" +
              BackChannelName(app.backchannel) + "\"><strong>" + EscapeHtml(app.name) +
              "</strong> — <span class=\"status\">" + EscapeHtml(InitialStatus(app)) + "</span>" +
              FrameMarkers(app, noscript_frames) + "</li>";
    }
    if (signed_out.apps.size() > named) {
      // Only front-channel work needs the browser; back-channel status arrives by polling.
      std::string frames;
      std::size_t pending = 0;
      for (std::size_t i = named; i < signed_out.apps.size(); ++i) {
        frames += FrameMarkers(signed_out.apps[i], noscript_frames);
        pending += signed_out.apps[i].backchannel == SignedOutApp::BackChannel::kPending;
      }
      body += "<li data-more data-pending=\"" + std::to_string(pending) + "\"><strong>and " +
              std::to_string(signed_out.apps.size() - named) +
              " more applications</strong> — <span class=\"status\">" + std::to_string(pending) +
              " to be notified</span>" + frames + "</li>";
    }
    body += "</ul>";
  }
  body += "</div>";
  if (signed_out.continue_to)
    body += "<p><a id=\"continue\" href=\"" + EscapeHtml(*signed_out.continue_to) +
            "\">Continue to the application</a></p>";
  else
    body += "<p class=\"muted\">You can close this window.</p>";
  if (!noscript_frames.empty()) body += "<noscript>" + noscript_frames + "</noscript>";
  body += "<script>" + std::string(kSignedOutScript) + "</script>";

  std::string frames =
      signed_out.frame_origins.empty() ? " 'none'" : Join(signed_out.frame_origins);
  return PolicedPage("Signed out", body,
                     "script-src " + crypto::CspHashSource(kSignedOutScript) +
                         "; connect-src 'self'; frame-src" + frames,
                     signed_out.frame_ancestors);
}

std::string SignOutForms(std::string_view csrf_token) {
  auto form = [&](std::string_view scope, std::string_view label, std::string_view css,
                  std::string_view extra) {
    return "<form method=\"post\" action=\"" + std::string(kLogoutConfirmPath) + "\">" +
           HiddenField(kCsrfFieldName, csrf_token) + HiddenField("scope", scope) +
           std::string(extra) + "<button type=\"submit\"" + std::string(css) + ">" +
           std::string(label) + "</button></form>";
  };
  return form("session", "Sign out", "", "") +
         form("all", "Sign out of all my sessions", " class=\"secondary\"", OfflineCheckbox());
}

}  // namespace gh::web
