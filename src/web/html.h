// HTML helpers for the IdP's server-rendered pages: escaping and the shared page layout.
#pragma once

#include <string>
#include <string_view>

#include "http/message.h"

namespace gh::web {

// A complete HTML document with Gatehouse's look. `body_html` must already be safe HTML.
std::string Page(std::string_view title, std::string_view body_html);

// The Content-Security-Policy source that allows Page()'s inline stylesheet ('sha256-…'), for
// pages that send a policy without 'unsafe-inline'.
std::string PageStyleSource();

// <input type="hidden"> carrying `value`, both escaped.
std::string HiddenField(std::string_view name, std::string_view value);

// A page that tells a person what went wrong, e.g. an unregistered redirect_uri: it answers one
// request, so nothing may store it.
http::Response ErrorPage(int status, std::string_view title, std::string_view message);

}  // namespace gh::web
