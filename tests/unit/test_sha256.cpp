// SPDX-License-Identifier: MIT
// Tests for sha256.hpp: FIPS 180-4 examples, NIST SHAVS vectors, padding edges, incremental use.
#include <profile/auth/encoding.hpp>
#include <profile/auth/sha256.hpp>

#include <doctest/doctest.h>

#include <array>        // digests
#include <cstddef>      // std::size_t
#include <string>       // message buffers
#include <string_view>  // slicing messages

namespace pa = profile::auth;

namespace {
std::string hex(const std::array<unsigned char, 32>& d) {
  return pa::hex_encode(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}
int nibble(char c) { return c <= '9' ? c - '0' : c - 'a' + 10; }
std::string unhex(std::string_view h) {
  std::string out;
  for (std::size_t i = 0; i + 1 < h.size(); i += 2)
    out += static_cast<char>(nibble(h[i]) * 16 + nibble(h[i + 1]));
  return out;
}
// Bytes '0', '1', … cycling through 75 printable characters (expected values from sha256sum).
std::string pattern(std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += static_cast<char>('0' + i % 75);
  return s;
}
}  // namespace

TEST_CASE("sha256: FIPS 180-4 examples and the empty message") {
  CHECK(hex(pa::sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(hex(pa::sha256("abc")) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(hex(pa::sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(hex(pa::sha256("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjk"
                       "lmnopqklmnopqrlmnopqrsmnopqrstnopqrstu")) ==
        "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

TEST_CASE("sha256: one million 'a'") {
  const std::string a(1000000, 'a');
  const char* expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
  CHECK(hex(pa::sha256(a)) == expected);
  pa::sha256_hasher h;  // the same in 1000-byte pieces
  for (int i = 0; i < 1000; ++i) h.update(a.data(), 1000);
  CHECK(hex(h.finish()) == expected);
}

TEST_CASE("sha256: NIST SHAVS short and long message vectors") {
  struct vec {
    const char* msg_hex;
    const char* md;
  };
  const vec vectors[] = {
      {"d3", "28969cdfa74a12c82f3bad960b0b000aca2ac329deea5c2328ebc6f2ba9802c1"},
      {"11af", "5ca7133fa735326081558ac312c620eeca9970d1e70a4b95533d956f072d1f98"},
      {"b4190e", "dff2e73091f6c05e528896c4c831b9448653dc2ff043528f6769437bc7b975c2"},
      // SHA256LongMsg, Len = 1304
      {"451101250ec6f26652249d59dc974b7361d571a8101cdfd36aba3b5854d3ae086b5fdd4597721b66e3c0dc"
       "5d8c606d9657d0e323283a5217d1f53f2f284f57b85c8a61ac8924711f895c5ed90ef17745ed2d728abd22"
       "a5f7a13479a462d71b56c19a74a40b655c58edfe0a188ad2cf46cbf30524f65d423c837dd1ff2bf462ac41"
       "98007345bb44dbb7b1c861298cdf61982a833afc728fae1eda2f87aa2c9480858bec",
       "3c593aa539fdcdae516cdf2f15000f6634185c88f505b39775fb9ab137a10aa2"},
  };
  for (const auto& v : vectors) {
    CAPTURE(v.msg_hex);
    CHECK(hex(pa::sha256(unhex(v.msg_hex))) == v.md);
  }
}

TEST_CASE("sha256: lengths around the padding boundary") {
  // 55 bytes fit the length in one block; 56..63 need a second padding block.
  struct vec {
    std::size_t n;
    const char* md;
  };
  const vec vectors[] = {
      {55, "82ea60b904f221aee687a3fbf1c16e07b95cc4a66a5396fbba94d5c0c39a7741"},
      {56, "e3bdd54aee96296d602f4b1b4e105c2f2239d3826ec771fd0e100b8fca82c36e"},
      {57, "570490d76ebcc6d75b7d3023eaa77108cfb500d207a35eafc6c10c977d6b27ed"},
      {63, "b7e43a2b31c1de0eac8ddf82620722f442a2df154b0acca01ee51c696c2d3924"},
      {64, "c42debc003290127e664a5c857c6e454cff4a7d512fcb8e5a942fb0d9c045e5f"},
      {65, "01ffe19716b8afac6c8c303f230f702106e7768dc31dec15c46f4e96c783d07e"},
      {119, "cf1fbc313085e502c323d478f938422c5852078b96b0b4f80cc09f602b18754c"},
      {120, "0e4eaa51da3b6f2eec187fd4dd7968710e85ded4d6e5b4d20c5302d699c6a0d7"},
      {128, "070bdcdc1afe8fa300ef510694ba095eb91dc587f6c37f4dbf8c686353dd2c6a"},
  };
  for (const auto& v : vectors) {
    CAPTURE(v.n);
    CHECK(hex(pa::sha256(pattern(v.n))) == v.md);
  }
  std::string all_bytes;
  for (int i = 0; i < 256; ++i) all_bytes += static_cast<char>(i);
  CHECK(hex(pa::sha256(all_bytes)) ==
        "40aff2e9d2d8922e47afd4648e6967497158785fbd1da870e7110266bf944880");
}

TEST_CASE("sha256: incremental updates split anywhere equal the one-shot digest") {
  const std::string msg = pattern(200);
  const auto expected = pa::sha256(msg);
  for (std::size_t cut = 0; cut <= msg.size(); ++cut) {
    pa::sha256_hasher h;
    h.update(std::string_view(msg).substr(0, cut));
    h.update(msg.data() + cut, msg.size() - cut);
    CHECK(h.finish() == expected);
  }
  // Three pieces, every pair of cut points in steps of 7.
  for (std::size_t a = 0; a <= msg.size(); a += 7)
    for (std::size_t b = a; b <= msg.size(); b += 7) {
      pa::sha256_hasher h;
      h.update(std::string_view(msg).substr(0, a));
      h.update(std::string_view(msg).substr(a, b - a));
      h.update(std::string_view(msg).substr(b));
      CHECK(h.finish() == expected);
    }
  pa::sha256_hasher bytewise;
  for (const char c : msg) bytewise.update(&c, 1);
  CHECK(bytewise.finish() == expected);
}

TEST_CASE("sha256_hasher: finish resets, reset discards, copies fork") {
  pa::sha256_hasher h;
  h.update("abc");
  CHECK(h.finish() == pa::sha256("abc"));
  CHECK(h.finish() == pa::sha256(""));  // finish() left a fresh hasher behind
  h.update("garbage");
  h.reset();
  h.update("abc");
  CHECK(h.finish() == pa::sha256("abc"));
  h.update(nullptr, 0);  // a null pointer with size 0 is allowed
  h.update("ab");
  pa::sha256_hasher fork = h;
  h.update("c");
  fork.update("d");
  CHECK(h.finish() == pa::sha256("abc"));
  CHECK(fork.finish() == pa::sha256("abd"));
}

TEST_CASE("sha256 + base64url: RFC 7636 appendix B S256 challenge") {
  const auto d = pa::sha256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
  CHECK(pa::base64url_encode(std::string_view(reinterpret_cast<const char*>(d.data()), 32)) ==
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}
