// SPDX-License-Identifier: MIT
// profile-auth: strict IPv4 and IPv6 address literals (URL hosts, loopback checks).
#ifndef PROFILE_AUTH_DETAIL_IP_LITERAL_HPP
#define PROFILE_AUTH_DETAIL_IP_LITERAL_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/encoding.hpp>

#include <array>        // the parsed address groups
#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint16_t groups
#include <string_view>  // inputs

namespace profile::auth::inline v0::detail {

// Strict dotted quad: four decimal octets 0-255, no leading zeros (inet_aton would read
// "0177" as octal, so such spellings are refused instead of guessed).
bool parse_ipv4(std::string_view s, std::array<unsigned char, 4>& out) noexcept;

// RFC 4291 §2.2 text form (no brackets, no zone id), with an optional trailing dotted quad.
bool parse_ipv6(std::string_view s, std::array<std::uint16_t, 8>& out) noexcept;

// --- definitions: compiled here header-only, in the library's source file in compiled mode ---
#if PROFILE_AUTH_DEFINITIONS

PROFILE_AUTH_INLINE bool parse_ipv4(std::string_view s,
                                    std::array<unsigned char, 4>& out) noexcept {
  std::size_t i = 0;
  for (unsigned part = 0; part < 4; ++part) {
    if (part != 0) {
      if (i >= s.size() || s[i] != '.') return false;
      ++i;
    }
    const std::size_t start = i;
    unsigned v = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - start < 3)
      v = v * 10 + static_cast<unsigned>(s[i++] - '0');
    const std::size_t len = i - start;
    if (len == 0 || v > 255 || (len > 1 && s[start] == '0')) return false;
    out[part] = static_cast<unsigned char>(v);
  }
  return i == s.size();
}

PROFILE_AUTH_INLINE bool parse_ipv6(std::string_view s,
                                    std::array<std::uint16_t, 8>& out) noexcept {
  std::array<std::uint16_t, 8> head{}, tail{};  // groups before and after "::"
  unsigned nh = 0, nt = 0;
  bool gap = s.substr(0, 2) == "::";
  for (std::size_t i = gap ? 2 : 0; i < s.size();) {
    auto& g = gap ? tail : head;
    unsigned& n = gap ? nt : nh;
    std::size_t end = s.find(':', i);
    if (end == std::string_view::npos) end = s.size();
    const std::string_view seg = s.substr(i, end - i);
    if (nh + nt == 8) return false;
    if (seg.find('.') != std::string_view::npos) {  // an embedded IPv4 ends the address
      std::array<unsigned char, 4> v4{};
      if (end != s.size() || nh + nt > 6 || !parse_ipv4(seg, v4)) return false;
      g[n++] = static_cast<std::uint16_t>((v4[0] << 8) | v4[1]);
      g[n++] = static_cast<std::uint16_t>((v4[2] << 8) | v4[3]);
      break;
    }
    if (seg.empty() || seg.size() > 4) return false;
    unsigned v = 0;
    for (const char c : seg) {
      const unsigned d = hex_value(static_cast<unsigned char>(c));
      if (d > 15) return false;
      v = (v << 4) | d;
    }
    g[n++] = static_cast<std::uint16_t>(v);
    if (end == s.size()) break;
    i = end + 1;
    if (i == s.size()) return false;  // a single trailing ':'
    if (s[i] == ':') {
      if (gap) return false;  // "::" at most once
      gap = true;
      ++i;
    }
  }
  if (gap ? nh + nt > 7 : nh != 8) return false;  // "::" stands for at least one zero group
  out = {};
  for (unsigned k = 0; k < nh; ++k) out[k] = head[k];
  for (unsigned k = 0; k < nt; ++k) out[8 - nt + k] = tail[k];
  return true;
}

#endif  // PROFILE_AUTH_DEFINITIONS

}  // namespace profile::auth::inline v0::detail

#endif  // PROFILE_AUTH_DETAIL_IP_LITERAL_HPP
