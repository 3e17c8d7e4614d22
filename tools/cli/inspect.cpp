// SPDX-License-Identifier: MIT
// profile-auth `inspect`: a JWT's header and claims, NOT verified (docs/cli.md).
#include "cli.hpp"

#include <chrono>
#include <ctime>
#include <iostream>
#include <iterator>
#include <string>

namespace cli {

namespace {

const char* const inspect_usage =
    "Usage: profile-auth inspect [--json] TOKEN|-\n"
    "\n"
    "Decodes a JWT access token's header and claims and shows exp/iat/nbf in local time and\n"
    "relative to now. NOTHING IS VERIFIED: not the signature, the issuer, the audience nor\n"
    "the expiry. Anyone can mint a token with any claims: use this for reading, never to\n"
    "decide access. '-' reads the token from stdin (preferred: argv is visible to other\n"
    "users of the machine). An opaque (non-JWT) token is reported as such, with exit 0.\n"
    "\n"
    "  --json                 {\"verified\":false,\"jwt\",\"header\",\"claims\",\"times\"}\n"
    "\n";

/// "2026-12-08 01:02:03 CET" in the local time zone.
std::string local_time(std::chrono::sys_seconds t) {
  const std::time_t tt = static_cast<std::time_t>(t.time_since_epoch().count());
  std::tm tm{};
#if defined(_WIN32)
  if (localtime_s(&tm, &tt) != 0) return "?";
#else
  if (localtime_r(&tt, &tm) == nullptr) return "?";
#endif
  char buf[64];
  const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %Z", &tm);
  return std::string(buf, n);
}

/// "42 min", "3 h", "2 d", "17 s".
std::string span_text(long long s) {
  if (s < 120) return std::to_string(s) + " s";
  if (s < 2 * 3600) return std::to_string(s / 60) + " min";
  if (s < 2 * 86400) return std::to_string(s / 3600) + " h";
  return std::to_string(s / 86400) + " d";
}

/// "expires in 42 min" / "expired 3 h ago", "issued 5 min ago" / "issued in 2 min".
std::string relative(std::string_view claim, std::chrono::sys_seconds t,
                     std::chrono::sys_seconds now) {
  const long long d = (t - now).count();
  const bool future = d > 0;
  const std::string span = span_text(future ? d : -d);
  if (claim == "exp") return future ? "expires in " + span : "expired " + span + " ago";
  if (claim == "nbf") return future ? "not valid for another " + span : "valid since " + span;
  return future ? "issued in " + span + " (clock skew?)" : "issued " + span + " ago";
}

}  // namespace

int cmd_inspect(args& a) {
  bool json = false;
  std::optional<std::string> operand;
  while (!a.done()) {
    const std::string f = a.next();
    if (is_help(f)) {
      std::cout << inspect_usage << exit_code_help;
      return exit_ok;
    }
    if (f == "--json") {
      json = true;
    } else if (f.size() > 1 && f.front() == '-') {
      usage_error("inspect: unknown option '" + f + "'");
      return exit_usage;
    } else if (!operand) {
      operand = f;
    } else {
      usage_error("inspect: one token only");
      return exit_usage;
    }
  }
  if (!operand) {
    usage_error("inspect: no token (pass it, or '-' to read it from stdin)");
    return exit_usage;
  }
  pa::secret token;
  if (*operand == "-") {
    std::string text(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>{});
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
      text.pop_back();
    // "Bearer <token>" (what `token --header` prints) is accepted too.
    if (text.starts_with("Bearer ")) text.erase(0, 7);
    token = pa::secret(std::move(text));
  } else {
    std::string text = std::move(*operand);
    if (text.starts_with("Bearer ")) text.erase(0, 7);
    token = pa::secret(std::move(text));
  }

  auto claims = pa::decode_unverified_claims(token);
  if (!claims) return report(claims.error(), {token.reveal()});
  const auto now =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  const std::pair<const char*, std::optional<std::chrono::sys_seconds>> times[] = {
      {"exp", claims->exp}, {"iat", claims->iat}, {"nbf", claims->nbf}};

  if (json) {
    std::string out = "{\"verified\":false,\"jwt\":";
    out += claims->is_jwt ? "true" : "false";
    if (claims->is_jwt) {
      out += ",\"header\":{\"alg\":";
      json_string(out, claims->alg);
      if (!claims->typ.empty()) {
        out += ",\"typ\":";
        json_string(out, claims->typ);
      }
      if (!claims->kid.empty()) {
        out += ",\"kid\":";
        json_string(out, claims->kid);
      }
      out += "},\"claims\":{";
      bool first = true;
      for (const auto& [name, raw] : claims->claims) {
        if (!first) out += ',';
        first = false;
        json_string(out, name);
        out += ':';
        out += raw;  // the library's raw JSON text of the value
      }
      out += "},\"times\":{";
      first = true;
      for (const auto& [name, t] : times) {
        if (!t) continue;
        if (!first) out += ',';
        first = false;
        json_string(out, name);
        out += ":{\"unix\":" + std::to_string(t->time_since_epoch().count()) + ",\"local\":";
        json_string(out, local_time(*t));
        out += ",\"relative\":";
        json_string(out, relative(name, *t, now));
        out += '}';
      }
      out += '}';
      if (claims->exp) out += *claims->exp <= now ? ",\"expired\":true" : ",\"expired\":false";
    }
    out += "}\n";
    std::cout << out;
    std::cout.flush();
    return std::cout ? exit_ok : exit_local;
  }

  const style st = style_for(stdout);
  if (!claims->is_jwt) {
    std::cout << "opaque token: not a JWT, there are no claims to read (OAuth access tokens\n"
                 "are opaque to clients by design; ask the issuer: RFC 7662 introspection)\n";
    return exit_ok;
  }
  std::cout << st.yellow(st.bold("UNVERIFIED")) << " "
            << st.dim("(signature, issuer, audience and expiry NOT checked)") << "\n";
  std::cout << st.bold("header") << "\n  alg: " << claims->alg << "\n";
  if (!claims->typ.empty()) std::cout << "  typ: " << claims->typ << "\n";
  if (!claims->kid.empty()) std::cout << "  kid: " << claims->kid << "\n";
  std::cout << st.bold("claims") << "\n";
  for (const auto& [name, raw] : claims->claims) std::cout << "  " << name << ": " << raw << "\n";
  bool any = false;
  for (const auto& [name, t] : times) {
    if (!t) continue;
    if (!any) std::cout << st.bold("times") << "\n";
    any = true;
    std::string rel = relative(name, *t, now);
    if (std::string_view(name) == "exp") rel = *t <= now ? st.red(rel) : st.green(rel);
    std::cout << "  " << name << ": " << local_time(*t) << " (" << rel << ")\n";
  }
  std::cout.flush();
  return std::cout ? exit_ok : exit_local;
}

}  // namespace cli
