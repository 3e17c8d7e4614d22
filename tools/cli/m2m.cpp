// SPDX-License-Identifier: MIT
// profile-auth `token` and `curl`: the client credentials grant (docs/cli.md).
#include "cli.hpp"

#include <chrono>
#include <iostream>
#include <string>

namespace cli {

namespace {

const char* const token_usage =
    "Usage: profile-auth token [options]\n"
    "\n"
    "Gets an access token with the client credentials grant and prints it on stdout.\n"
    "\n"
    "Output:\n"
    "  (default)              the access token alone\n"
    "  --header               the whole Authorization value: \"Bearer <token>\"\n"
    "  --json                 {\"access_token\",\"token_type\",\"expires_in\"[,\"scope\"]}\n"
    "The token is printed only because you asked for it: keep it out of logs.\n"
    "\n";

const char* const curl_usage =
    "Usage: profile-auth curl [options] [-X METHOD] [-H 'Name: value']... [-d BODY] URL\n"
    "\n"
    "Sends one request with the M2M token in its Authorization header (a 401 that rejects\n"
    "the token gets a fresh token and one retry). Prints the body on stdout and the status\n"
    "on stderr; the token itself is never printed.\n"
    "\n"
    "  -X, --request METHOD   the method (default GET, or POST with -d)\n"
    "  -H, --header 'N: v'    a request header (repeatable; Authorization is replaced)\n"
    "  -d, --data BODY        the request body (Content-Type defaults to application/json)\n"
    "  -i, --include          also print the response's status line and headers on stdout\n"
    "  --json                 print {\"status\",\"headers\",\"body\"} on stdout\n"
    "\n"
    "Where the token may go: only to the Profile API (--base-url), the token endpoint's\n"
    "origin and each --api-origin. Any other URL is refused (exit 6) before anything is\n"
    "sent: a URL typed by mistake must not receive your token. There is deliberately no\n"
    "flag that trusts the URL's own origin: name it with --api-origin.\n"
    "\n";

}  // namespace

int cmd_token(args& a) {
  m2m_flags m;
  transport_flags t;
  bool header = false, json = false, failed = false;
  while (!a.done()) {
    const std::string f = a.next();
    if (is_help(f)) {
      std::cout << token_usage << m2m_help << transport_help << "\n" << exit_code_help;
      return exit_ok;
    }
    if (f == "--header") {
      header = true;
    } else if (f == "--json") {
      json = true;
    } else if (!m.parse(f, a, failed) && !t.parse(f, a, failed)) {
      usage_error("token: unknown option '" + f + "'");
      return exit_usage;
    }
    if (failed) return exit_usage;
  }
  if (header && json) {
    usage_error("token: --header and --json exclude each other");
    return exit_usage;
  }
  pa::transports::curl_transport transport(t.options);
  int exit = exit_ok;
  auto config = m.config(transport, exit);
  if (!config) return exit;
  const std::vector<std::string_view> scrub{config->client_secret.reveal()};

  auto request = pa::client_credentials_request(*config);
  if (!request) return report(request.error(), scrub);
  auto response = transport.send(*request);
  // The sent body held the secret (client_secret_post): a secret built from a std::string&&
  // wipes the string's buffer. (A Basic header cannot be wiped through the public API.)
  (void)pa::secret(std::move(request->body));
  if (!response) return report(response.error(), scrub);
  auto tok =
      pa::parse_token_response(*response, pa::to_time_point(std::chrono::steady_clock::now()));
  if (!tok) return report(tok.error(), scrub);

  const std::string_view access = tok->access_token.reveal();
  if (json) {
    std::string out = "{\"access_token\":";
    json_string(out, access);
    out += ",\"token_type\":";
    json_string(out, tok->token_type);
    out += ",\"expires_in\":";
    if (tok->expires_in)
      out += std::to_string(tok->expires_in->count());
    else
      out += "null";
    if (!tok->scope.empty()) {
      out += ",\"scope\":";
      json_string(out, tok->scope);
    }
    out += "}\n";
    std::cout << out;
  } else if (header) {
    std::cout << "Bearer " << access << "\n";
  } else {
    std::cout << access << "\n";
  }
  std::cout.flush();
  return std::cout ? exit_ok : exit_local;
}

int cmd_curl(args& a) {
  m2m_flags m;
  transport_flags t;
  bool include = false, json = false, failed = false;
  std::string method, url;
  std::optional<std::string> body;
  pa::header_list headers;
  while (!a.done()) {
    const std::string f = a.next();
    if (is_help(f)) {
      std::cout << curl_usage << m2m_help << transport_help << "\n" << exit_code_help;
      return exit_ok;
    }
    if (f == "-X" || f == "--request") {
      auto v = a.value(f);
      if (!v) return exit_usage;
      method = std::move(*v);
    } else if (f == "-H" || f == "--header") {
      auto v = a.value(f);
      if (!v) return exit_usage;
      const std::size_t colon = v->find(':');
      if (colon == std::string::npos || colon == 0) {
        usage_error("curl: a header is 'Name: value'");
        return exit_usage;
      }
      std::string value = v->substr(colon + 1);
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(0, 1);
      headers.add(v->substr(0, colon), std::move(value));
    } else if (f == "-d" || f == "--data") {
      auto v = a.value(f);
      if (!v) return exit_usage;
      body = std::move(*v);
    } else if (f == "-i" || f == "--include") {
      include = true;
    } else if (f == "--json") {
      json = true;
    } else if (!f.empty() && f.front() == '-' && f != "-") {
      if (!m.parse(f, a, failed) && !t.parse(f, a, failed)) {
        usage_error("curl: unknown option '" + f + "'");
        return exit_usage;
      }
      if (failed) return exit_usage;
    } else if (url.empty()) {
      url = f;
    } else {
      usage_error("curl: one URL only");
      return exit_usage;
    }
  }
  if (url.empty()) {
    usage_error("curl: no URL");
    return exit_usage;
  }
  pa::transports::curl_transport transport(t.options);
  int exit = exit_ok;
  auto config = m.config(transport, exit);
  if (!config) return exit;
  // The scrub list views the secret held by the client's copy of the configuration.
  pa::m2m_client client{&transport, std::move(*config)};
  const std::vector<std::string_view> scrub{client.config().client_secret.reveal()};

  pa::http_request req;
  req.method = method.empty() ? (body ? "POST" : "GET") : method;
  req.url = url;
  req.headers = std::move(headers);
  if (body) {
    if (!req.headers.contains("Content-Type")) req.headers.add("Content-Type", "application/json");
    req.body = std::move(*body);
  }
  auto resp = client.send(std::move(req));
  if (!resp) {
    const int code = report(resp.error(), scrub);
    if (resp.error().code == pa::errc::invalid_url)
      std::cerr << "profile-auth: to allow it, name the origin: --api-origin "
                   "SCHEME://HOST[:PORT]\n";
    return code;
  }

  if (json) {
    std::string out = "{\"status\":" + std::to_string(resp->status) + ",\"headers\":[";
    bool first = true;
    for (const auto& [name, value] : resp->headers) {
      if (!first) out += ',';
      first = false;
      out += '[';
      json_string(out, name);
      out += ',';
      json_string(out, value);
      out += ']';
    }
    out += "],\"body\":";
    json_string(out, resp->body);
    out += "}\n";
    std::cout << out;
  } else {
    if (include) {
      std::cout << "HTTP " << resp->status << "\n";
      for (const auto& [name, value] : resp->headers) std::cout << name << ": " << value << "\n";
      std::cout << "\n";
    }
    std::cout << resp->body;
    if (!resp->body.empty() && resp->body.back() != '\n') std::cout << "\n";
    const style st = style_for(stderr);
    const std::string status = "HTTP " + std::to_string(resp->status);
    std::cerr << (resp->ok() ? st.green(status) : st.red(status)) << "\n";
  }
  std::cout.flush();
  if (!std::cout) return exit_local;
  return resp->ok() ? exit_ok : exit_http_status;
}

}  // namespace cli
