// SsoEndpoint: SAML Web Browser SSO (Profiles §4.1) at /saml/sso over HTTP-Redirect and HTTP-POST,
// and IdP-initiated SSO for SPs registered for it. Signs the user in with the same login page and
// IdP session as OpenID Connect, answers with a signed Assertion over HTTP-POST, and makes the SP
// a participant of the session with the exact NameID and SessionIndex it was sent.
#pragma once

#include "http/message.h"
#include "saml/inbound.h"
#include "saml/saml_context.h"

namespace gh::saml {

class SsoEndpoint {
 public:
  explicit SsoEndpoint(const SamlContext& context) : context_(context) {}

  // GET (HTTP-Redirect) or POST (HTTP-POST) /saml/sso with an AuthnRequest.
  http::Response Handle(const http::Request& request) const;
  // GET /saml/sso/continue?request=…: back from the login page with a validated request.
  http::Response Continue(const http::Request& request) const;
  // GET /saml/sso/idp-initiated?sp=<entityID>[&RelayState=…]
  http::Response IdpInitiated(const http::Request& request) const;

  // What is left of a validated AuthnRequest once it must wait for a login.
  struct Pending {
    std::string sp;
    std::optional<std::string> request_id;  // none for IdP-initiated SSO
    std::string acs_url;
    std::optional<std::string> relay_state;
    bool force_authn = false;
    bool is_passive = false;
    TimePoint received_at;
    // The upstream the SP asked for (Scoping), passed to the sign-in page; not kept across it.
    std::optional<std::string> idp_hint = std::nullopt;
  };

 private:
  // `sp` is `pending.sp`'s registration, as the caller just read it.
  http::Response Proceed(const http::Request& request, const Pending& pending,
                         const ServiceProvider& sp) const;
  http::Response Answer(const Pending& pending, const ServiceProvider& sp,
                        const store::SessionRecord& session) const;
  http::Response Failure(const Pending& pending, std::string_view status,
                         std::string_view second_status) const;
  // A tamper-proof handle for `pending` (HMAC with the server secret), and its reverse.
  std::string Seal(const Pending& pending) const;
  std::optional<Pending> Unseal(std::string_view sealed) const;
  // The subject `sp` is sent in `session`: the one it was first sent, or a new one.
  struct Subject {
    store::SamlSubject subject;
    bool already_participant = false;
  };
  Result<Subject> SubjectFor(const ServiceProvider& sp, const store::SessionRecord& session,
                             const store::UserRecord& user) const;
  // Records `sp` as a participant of `session` before an assertion leaves, or — when it already
  // is one — checks that the session still lives. kFailedPrecondition when it has ended.
  Result<void> Join(const ServiceProvider& sp, const store::SessionRecord& session,
                    const Subject& subject) const;

  const SamlContext& context_;
};

}  // namespace gh::saml
