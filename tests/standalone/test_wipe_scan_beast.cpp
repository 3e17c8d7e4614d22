// SPDX-License-Identifier: MIT
// profile-auth tests: beast_transport frees nothing of its own that still holds a secret. Every
// operator new/delete of this program goes through scan_allocator.hpp; Beast's header fields,
// bodies and read buffer allocate through operator new (by way of the transport's wiping
// allocator), so all of them are scanned. The server is a plain socket on 127.0.0.1 (plain
// HTTP: OpenSSL's record buffers, which the library cannot wipe, are not involved; see
// docs/caching.md). Its own program (and not in transport_tests): it replaces operator new.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <profile/auth/transports/beast.hpp>

#include <doctest/doctest.h>

#include "scan_allocator.hpp"
#include "scan_server.hpp"

#include <cstdio>   // std::fprintf in boost::throw_exception
#include <cstdlib>  // std::abort in boost::throw_exception

#if defined(BOOST_NO_EXCEPTIONS)
// Without exceptions, Boost reports the failures it cannot return as values through these,
// which every program must define once.
namespace boost {
void throw_exception(const std::exception& e) {
  std::fprintf(stderr, "Boost failure: %s\n", e.what());
  std::abort();
}
void throw_exception(const std::exception& e, const boost::source_location&) {
  std::fprintf(stderr, "Boost failure: %s\n", e.what());
  std::abort();
}
}  // namespace boost
#endif

namespace pa = profile::auth;

TEST_CASE("wipe scan beast: beast_transport frees no block that holds a secret") {
  const scan::token_reply reply;
  scan::server srv(reply.reply.s);
  for (const bool basic : {true, false}) {
    CAPTURE(basic);
    const scan::exchange_outcome o =
        scan::exchanges(srv.url(), basic, [] { return pa::transports::beast_transport(); });
    CHECK(o.got_body);
    CHECK_MESSAGE(o.cpp_hits == 0, "blocks freed holding a secret: ", o.cpp_hits, " (last one of ",
                  scan::last_hit_size.load(), " bytes)");
  }
  CHECK(srv.served.load() == 4);
}
