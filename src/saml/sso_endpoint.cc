#include "saml/sso_endpoint.h"

#include <nlohmann/json.hpp>

#include "core/base64url.h"
#include "core/log.h"
#include "crypto/digest.h"
#include "crypto/sealed_text.h"
#include "saml/vocabulary.h"
#include "web/auto_post.h"
#include "web/notice.h"

namespace gh::saml {
namespace {

constexpr std::string_view kLoginPath = "/login";
constexpr Seconds kPendingTtl{600};
constexpr std::string_view kPendingPurpose = "saml-sso";

// The ACS a response may go to: only a registered HTTP-POST endpoint (Profiles §4.1.4.1).
const Endpoint* ChooseAcs(const SpMetadata& md, const AuthnRequest* request) {
  const Endpoint* fallback = nullptr;
  for (const auto& acs : md.assertion_consumer_services) {
    if (acs.binding != kBindingPost) continue;
    if (request && request->acs_url) {
      if (acs.location == *request->acs_url) return &acs;
      continue;
    }
    if (request && request->acs_index) {
      if (acs.index == *request->acs_index) return &acs;
      continue;
    }
    if (acs.is_default) return &acs;
    if (!fallback) fallback = &acs;
  }
  return (request && (request->acs_url || request->acs_index)) ? nullptr : fallback;
}

std::string AttributeValue(const store::UserRecord& user, std::string_view name) {
  if (name == "email") return user.email;
  if (name == "name") return user.name;
  if (name == "username") return user.username;
  if (name == "sub") return user.id;
  return "";
}

}  // namespace

std::string SsoEndpoint::Seal(const Pending& p) const {
  nlohmann::json j = {{"sp", p.sp},
                      {"acs", p.acs_url},
                      {"force", p.force_authn},
                      {"passive", p.is_passive},
                      {"at", ToUnixSeconds(p.received_at)}};
  if (p.request_id) j["id"] = *p.request_id;
  if (p.relay_state) j["rs"] = *p.relay_state;
  return crypto::SealText(context_.secret, kPendingPurpose, j.dump());
}

std::optional<SsoEndpoint::Pending> SsoEndpoint::Unseal(std::string_view sealed) const {
  auto text = crypto::OpenSealedText(context_.secret, kPendingPurpose, sealed);
  if (!text) return std::nullopt;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  Pending p;
  p.sp = j.value("sp", "");
  p.acs_url = j.value("acs", "");
  p.force_authn = j.value("force", false);
  p.is_passive = j.value("passive", false);
  p.received_at = FromUnixSeconds(j.value("at", std::int64_t{0}));
  if (j.contains("id")) p.request_id = j.value("id", "");
  if (j.contains("rs")) p.relay_state = j.value("rs", "");
  if (p.received_at + kPendingTtl < context_.clock.Now()) return std::nullopt;
  return p;
}

http::Response SsoEndpoint::Handle(const http::Request& request) const {
  Result<InboundMessage> inbound = Error::InvalidArgument("unsupported method");
  if (request.method == "GET") {
    inbound = DecodeRedirect(request.RawQuery());
  } else {
    auto form = request.Form();
    if (form.ok()) inbound = DecodePost(*form);
  }
  if (!inbound.ok() || !inbound->is_request)
    return web::NoticePage(400, "Cannot sign in", "The SAML sign-in request was malformed.");
  auto verified = ReadInbound(std::move(*inbound), context_.service_providers);
  if (!verified.ok()) {
    Log(LogLevel::kWarn, "saml.authn_request_rejected", {{"error", verified.error().message}});
    return web::NoticePage(
        400, "Cannot sign in",
        "The application's SAML sign-in request was refused: " + verified.error().message);
  }
  auto authn = ParseAuthnRequest(verified->element);
  if (!authn.ok())
    return web::NoticePage(400, "Cannot sign in",
                           "The SAML sign-in request: " + authn.error().message);
  auto now = context_.clock.Now();
  const auto& s = context_.settings;
  if (auto fresh =
          CheckAddressedAndFresh(authn->header, s.sso_url(), now, s.clock_skew, s.message_window);
      !fresh.ok())
    return web::NoticePage(400, "Cannot sign in",
                           "The SAML sign-in request: " + fresh.error().message);
  const Endpoint* acs = ChooseAcs(*verified->sp.metadata, &*authn);
  // An unregistered ACS never receives anything, not even an error.
  if (!acs)
    return web::NoticePage(
        400, "Cannot sign in",
        "The application asked for its answer at an address it has not registered.");
  Pending pending{verified->sp.record.entity_id,
                  authn->header.id,
                  acs->location,
                  verified->inbound.relay_state,
                  authn->force_authn,
                  authn->is_passive,
                  now};
  if (!authn->requested_idps.empty()) pending.idp_hint = authn->requested_idps.front();
  if (authn->name_id_format && *authn->name_id_format != kNameIdUnspecified &&
      *authn->name_id_format != verified->sp.record.name_id_format)
    return Failure(pending, kStatusRequester, kStatusInvalidNameIdPolicy);
  return Proceed(request, pending, verified->sp);
}

http::Response SsoEndpoint::Continue(const http::Request& request) const {
  auto query = request.Query();
  auto sealed = query.ok() ? query->Get("request") : std::nullopt;
  auto pending = sealed ? Unseal(*sealed) : std::nullopt;
  if (!pending)
    return web::NoticePage(400, "This sign-in expired",
                           "Please go back to the application and sign in again.");
  auto sp = context_.service_providers.Find(pending->sp);
  if (!sp.ok()) return web::NoticePage(503, "Unavailable", "Please try again.");
  if (!*sp)
    return web::NoticePage(400, "Cannot sign in", "The application is no longer registered.");
  return Proceed(request, *pending, **sp);
}

http::Response SsoEndpoint::IdpInitiated(const http::Request& request) const {
  auto query = request.Query();
  auto entity_id = query.ok() ? query->Get("sp") : std::nullopt;
  if (!entity_id) return web::NoticePage(400, "Cannot sign in", "No application was named.");
  auto sp = context_.service_providers.Find(*entity_id);
  if (!sp.ok()) return web::NoticePage(503, "Unavailable", "Please try again.");
  if (!*sp || !(*sp)->record.allow_idp_initiated)
    return web::NoticePage(400, "Cannot sign in",
                           "This application does not accept sign-ins started at Gatehouse.");
  const Endpoint* acs = ChooseAcs(*(*sp)->metadata, nullptr);
  if (!acs)
    return web::NoticePage(400, "Cannot sign in", "The application has no HTTP-POST consumer.");
  Pending pending{*entity_id, std::nullopt, acs->location,       query->Get("RelayState"),
                  false,      false,        context_.clock.Now()};
  return Proceed(request, pending, **sp);
}

http::Response SsoEndpoint::Proceed(const http::Request& request, const Pending& pending,
                                    const ServiceProvider& sp) const {
  auto session =
      context_.sessions.Resolve(request.Cookie(session::kSessionCookieName).value_or(""));
  if (!session.ok()) return web::NoticePage(503, "Unavailable", "Please try again.");
  // ForceAuthn (Core §3.4.1): only a sign-in after the request counts.
  bool signed_in =
      *session && (!pending.force_authn || (*session)->auth_time >= pending.received_at);
  if (!signed_in) {
    if (pending.is_passive) return Failure(pending, kStatusResponder, kStatusNoPassive);
    Params resume{{"request", Seal(pending)}};
    Params login{{"return_to", std::string(kSsoContinuePath) + "?" + resume.Encode()}};
    if (pending.idp_hint) login.Add("idp_hint", *pending.idp_hint);
    // ForceAuthn: an upstream that signs the person in must not answer from its own session.
    if (pending.force_authn) login.Add("prompt", "login");
    auto response = http::Response::Redirect(std::string(kLoginPath) + "?" + login.Encode());
    response.NoStore();
    return response;
  }
  return Answer(pending, sp, **session);
}

Result<SsoEndpoint::Subject> SsoEndpoint::SubjectFor(const ServiceProvider& sp,
                                                     const store::SessionRecord& session,
                                                     const store::UserRecord& user) const {
  // The same SP in the same session keeps the subject it was first sent, so a second SSO does
  // not leave its first SessionIndex unknown to Single Logout.
  GH_ASSIGN_OR_RETURN(auto participant,
                      context_.store.FindParticipant(session.sid, sp.record.entity_id));
  if (participant && participant->saml) return Subject{*participant->saml, true};
  store::SamlSubject subject;
  subject.format = sp.record.name_id_format;
  subject.name_qualifier = context_.settings.entity_id();
  subject.sp_name_qualifier = sp.record.entity_id;
  subject.session_index = "_" + context_.random.Token(24);
  if (subject.format == kNameIdEmail) {
    subject.name_id = user.email;
  } else if (subject.format == kNameIdTransient) {
    subject.name_id = "_" + context_.random.Token(24);
  } else if (subject.format == kNameIdUnspecified) {
    subject.name_id = user.username;
  } else {
    // Persistent (Core §8.3.7): opaque, stable, and different for every SP.
    subject.name_id = Base64UrlEncode(crypto::HmacSha256(
        context_.secret, "saml-persistent\n" + sp.record.entity_id + "\n" + user.id));
  }
  if (subject.name_id.empty())
    return Error::FailedPrecondition("the user has no value for this NameID format");
  return Subject{std::move(subject), false};
}

Result<void> SsoEndpoint::Join(const ServiceProvider& sp, const store::SessionRecord& session,
                               const Subject& subject) const {
  // Resolving the session showed it live, and any sign-out of it names the SP. Reading it again
  // here would narrow the race with a sign-out that is under way, not close it: one could start
  // right after that read.
  if (subject.already_participant) return Ok();
  // A new participant is recorded before the assertion leaves: a sign-out that comes after it
  // finds the SP; one that came before makes this fail instead of issuing into an ended session.
  return context_.store.InTransaction([&](store::Store& tx) {
    return context_.sessions.AddParticipant(tx, session.sid, sp.record.entity_id, kSamlProtocol,
                                            subject.subject);
  });
}

http::Response SsoEndpoint::Answer(const Pending& pending, const ServiceProvider& sp,
                                   const store::SessionRecord& session) const {
  auto user = context_.store.FindUserById(session.user_id);
  if (!user.ok()) return web::NoticePage(503, "Unavailable", "Please try again.");
  if (!*user)
    return web::NoticePage(400, "Cannot sign in", "The signed-in account no longer exists.");
  auto subject = SubjectFor(sp, session, **user);
  if (!subject.ok()) {
    if (subject.error().code == ErrorCode::kFailedPrecondition)
      return Failure(pending, kStatusResponder, kStatusInvalidNameIdPolicy);
    return web::NoticePage(503, "Unavailable", "Please try again.");
  }
  auto now = context_.clock.Now();
  const auto& s = context_.settings;
  AssertionContent content;
  content.issuer = s.entity_id();
  content.audience = sp.record.entity_id;
  content.recipient = pending.acs_url;
  content.in_response_to = pending.request_id;
  content.subject = subject->subject;
  content.now = now;
  content.auth_instant = session.auth_time;
  content.lifetime = s.assertion_lifetime;
  content.session_not_on_or_after = session.auth_time + context_.sessions.policy().absolute_timeout;
  content.authn_context_class = std::string(kAuthnContextPassword);
  for (const auto& name : sp.record.released_attributes)
    if (auto value = AttributeValue(**user, name); !value.empty())
      content.attributes.emplace_back(name, value);
  auto built = BuildResponse("_" + context_.random.Token(24), "_" + context_.random.Token(24),
                             pending.acs_url, content);
  if (!context_.signer.Sign(built.doc, built.assertion, built.assertion_issuer).ok())
    return web::NoticePage(503, "Unavailable", "Please try again.");
  auto joined = Join(sp, session, *subject);
  if (!joined.ok()) {
    if (joined.error().code == ErrorCode::kFailedPrecondition)
      return web::NoticePage(400, "Your session ended",
                             "Please go back to the application and sign in again.");
    return web::NoticePage(503, "Unavailable", "Please try again.");
  }
  Log(LogLevel::kInfo, "saml.sso", {{"sp", sp.record.entity_id}, {"sid", session.sid}});
  return web::AutoPostForm(pending.acs_url,
                           EncodePost(false, built.doc.Serialize(), pending.relay_state));
}

http::Response SsoEndpoint::Failure(const Pending& pending, std::string_view status,
                                    std::string_view second_status) const {
  auto built = BuildStatusResponse("_" + context_.random.Token(24), context_.settings.entity_id(),
                                   pending.acs_url, pending.request_id, context_.clock.Now(),
                                   status, second_status);
  if (!context_.signer.Sign(built.doc, built.root, built.issuer).ok())
    return web::NoticePage(503, "Unavailable", "Please try again.");
  return web::AutoPostForm(pending.acs_url,
                           EncodePost(false, built.doc.Serialize(), pending.relay_state));
}

}  // namespace gh::saml
