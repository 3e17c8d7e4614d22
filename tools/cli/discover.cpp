// SPDX-License-Identifier: MIT
// profile-auth `discover`: the RFC 9728 -> RFC 8414 metadata chain of a resource (docs/cli.md).
#include "cli.hpp"

#include <iostream>
#include <string>

namespace cli {

namespace {

const char* const discover_usage =
    "Usage: profile-auth discover [options] URL\n"
    "       profile-auth discover [options] --issuer ISSUER\n"
    "\n"
    "GETs URL (without credentials); from its 401's WWW-Authenticate resource_metadata, or\n"
    "else URL's /.well-known/oauth-protected-resource, reads the RFC 9728 protected\n"
    "resource metadata, then the RFC 8414 metadata of its first authorization server. With\n"
    "--issuer, prints that server's metadata only.\n"
    "\n"
    "  --exact                the metadata's `resource` must equal URL byte for byte\n"
    "                         (default: same origin, and its path a prefix of URL's)\n"
    "  --json                 {\"resource\":{...},\"authorization_server\":{...}}\n"
    "\n";

struct printer {
  bool json;
  style st;
  std::string out;
  bool first = true;

  void open(std::string_view key) {
    if (json) {
      if (!first) out += ',';
      first = true;
      json_string(out, key);
      out += ":{";
    } else {
      out += st.bold(key) + "\n";
    }
  }
  void close() {
    if (json) out += '}';
    first = false;
  }
  void str(std::string_view key, std::string_view v) {
    if (v.empty()) return;
    if (json) {
      sep();
      json_string(out, key);
      out += ':';
      json_string(out, v);
    } else {
      out += "  " + std::string(key) + ": " + std::string(v) + "\n";
    }
  }
  void list(std::string_view key, const std::vector<std::string>& v) {
    if (v.empty()) return;
    if (json) {
      sep();
      json_string(out, key);
      out += ':';
      json_strings(out, v);
    } else {
      out += "  " + std::string(key) + ":";
      for (const auto& s : v) out += " " + s;
      out += "\n";
    }
  }
  void flag(std::string_view key, bool v) {
    if (!v) return;
    if (json) {
      sep();
      json_string(out, key);
      out += ":true";
    } else {
      out += "  " + std::string(key) + ": true\n";
    }
  }
  void extra(const std::vector<std::pair<std::string, std::string>>& members) {
    for (const auto& [name, raw] : members) {
      if (json) {
        sep();
        json_string(out, name);
        out += ':';
        out += raw;  // the library's raw JSON text of the value
      } else {
        out += "  " + name + ": " + raw + "\n";
      }
    }
  }
  void sep() {
    if (!first) out += ',';
    first = false;
  }
};

void print_resource(printer& p, const pa::protected_resource_metadata& r) {
  p.open("resource");
  p.str("resource", r.resource);
  p.list("authorization_servers", r.authorization_servers);
  p.str("resource_name", r.resource_name);
  p.list("scopes_supported", r.scopes_supported);
  p.list("bearer_methods_supported", r.bearer_methods_supported);
  p.str("jwks_uri", r.jwks_uri);
  p.str("resource_documentation", r.resource_documentation);
  p.str("resource_policy_uri", r.resource_policy_uri);
  p.str("resource_tos_uri", r.resource_tos_uri);
  p.list("resource_signing_alg_values_supported", r.resource_signing_alg_values_supported);
  p.list("authorization_details_types_supported", r.authorization_details_types_supported);
  p.list("dpop_signing_alg_values_supported", r.dpop_signing_alg_values_supported);
  p.flag("tls_client_certificate_bound_access_tokens",
         r.tls_client_certificate_bound_access_tokens);
  p.flag("dpop_bound_access_tokens_required", r.dpop_bound_access_tokens_required);
  p.extra(r.extra);
  p.close();
}

void print_server(printer& p, const pa::authorization_server_metadata& m) {
  p.open("authorization_server");
  p.str("issuer", m.issuer);
  p.str("authorization_endpoint", m.authorization_endpoint);
  p.str("token_endpoint", m.token_endpoint);
  p.str("device_authorization_endpoint", m.device_authorization_endpoint);
  p.str("revocation_endpoint", m.revocation_endpoint);
  p.str("introspection_endpoint", m.introspection_endpoint);
  p.str("registration_endpoint", m.registration_endpoint);
  p.str("jwks_uri", m.jwks_uri);
  p.str("userinfo_endpoint", m.userinfo_endpoint);
  p.str("end_session_endpoint", m.end_session_endpoint);
  p.str("pushed_authorization_request_endpoint", m.pushed_authorization_request_endpoint);
  p.list("scopes_supported", m.scopes_supported);
  p.list("response_types_supported", m.response_types_supported);
  p.list("response_modes_supported", m.response_modes_supported);
  p.list("grant_types_supported", m.grant_types_supported);
  p.list("token_endpoint_auth_methods_supported", m.token_endpoint_auth_methods_supported);
  p.list("revocation_endpoint_auth_methods_supported",
         m.revocation_endpoint_auth_methods_supported);
  p.list("introspection_endpoint_auth_methods_supported",
         m.introspection_endpoint_auth_methods_supported);
  p.list("code_challenge_methods_supported", m.code_challenge_methods_supported);
  p.flag("authorization_response_iss_parameter_supported",
         m.authorization_response_iss_parameter_supported);
  p.flag("require_pushed_authorization_requests", m.require_pushed_authorization_requests);
  p.extra(m.extra);
  p.close();
}

int finish(printer& p) {
  if (p.json) p.out = "{" + p.out + "}\n";
  std::cout << p.out;
  std::cout.flush();
  return std::cout ? exit_ok : exit_local;
}

}  // namespace

int cmd_discover(args& a) {
  transport_flags t;
  bool json = false, exact = false, failed = false;
  std::string url, issuer;
  while (!a.done()) {
    const std::string f = a.next();
    if (is_help(f)) {
      std::cout << discover_usage << transport_help << "\n" << exit_code_help;
      return exit_ok;
    }
    if (f == "--json") {
      json = true;
    } else if (f == "--exact") {
      exact = true;
    } else if (f == "--issuer") {
      auto v = a.value(f);
      if (!v) return exit_usage;
      issuer = std::move(*v);
    } else if (!f.empty() && f.front() == '-') {
      if (!t.parse(f, a, failed)) {
        usage_error("discover: unknown option '" + f + "'");
        return exit_usage;
      }
      if (failed) return exit_usage;
    } else if (url.empty()) {
      url = f;
    } else {
      usage_error("discover: one URL only");
      return exit_usage;
    }
  }
  if (url.empty() == issuer.empty()) {
    usage_error("discover: give a resource URL or --issuer ISSUER (one of them)");
    return exit_usage;
  }
  pa::transports::curl_transport transport(t.options);
  printer p{json, style_for(stdout), {}};

  if (!issuer.empty()) {
    auto md = pa::discover(transport, issuer);
    if (!md) return report(md.error());
    print_server(p, *md);
    return finish(p);
  }

  pa::http_request probe;
  probe.method = "GET";
  probe.url = url;
  probe.headers.add("Accept", "application/json");
  auto resp = transport.send(probe);
  if (!resp) return report(resp.error());
  pa::resource_discovery_options opts;
  opts.match = exact ? pa::resource_match::exact : pa::resource_match::same_origin_prefix;
  auto found = pa::discover_from_challenge(transport, *resp, url, opts);
  if (!found) return report(found.error());
  if (!json) {
    p.out += p.st.dim("GET " + url + " -> " + std::to_string(resp->status)) + "\n";
    if (found->challenge && !found->challenge->resource_metadata.empty())
      p.out += p.st.dim("resource_metadata from WWW-Authenticate: " +
                        found->challenge->resource_metadata) +
               "\n";
  }
  print_resource(p, found->resource);
  print_server(p, found->authorization_server);
  return finish(p);
}

}  // namespace cli
