// SPDX-License-Identifier: MIT
// Benchmark 1: token-response parsing into owned strings, ours against the usual JSON libraries.
//
// Every contestant starts from the same `const std::string&` body (what a transport hands over)
// and must end with owned copies of access_token, token_type, refresh_token, scope and the
// numeric expires_in. Ours (parse_token_response) does strictly more: it also validates the
// whole document strictly, keeps unknown members (name + raw JSON), wraps the secrets in
// `secret` and computes the monotonic expiry.
//
// Usage: bench_parse [google-benchmark flags]
//        bench_parse --count <impl> <fixture> <n>   (n parses, for callgrind instruction counts)
//        bench_parse --pairs <fixture> <rounds>     (ours and simdjson On-Demand in alternating
//                                                    batches: the median ratio on a noisy machine)

#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>
#include <rapidjson/document.h>
#include <simdjson.h>
#include <cpprest/json.h>

#include <profile/auth/detail/json.hpp>
#include <profile/auth/token_response.hpp>

#include "common/fixtures.hpp"

#include <algorithm>    // std::sort for the medians of --pairs
#include <chrono>       // received_at, the expected expiry; --pairs timing
#include <cstdint>      // std::int64_t expires_in
#include <cstdio>       // validation messages
#include <cstdlib>      // std::atol for --count
#include <cstring>      // std::memchr (the floor)
#include <string>       // owned results
#include <string_view>  // keys, contestant names
#include <vector>       // --pairs samples

namespace {

namespace pa = profile::auth;

/// What every contestant must produce.
struct owned_fields {
  std::string access_token, token_type, refresh_token, scope;
  std::int64_t expires_in = -1;
  friend bool operator==(const owned_fields&, const owned_fields&) = default;
};

// ---------------------------------------------------------------------------------------------
// nlohmann/json: parse to a DOM, copy out.
owned_fields parse_nlohmann(const std::string& body) {
  owned_fields f;
  const nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return f;
  if (auto it = j.find("access_token"); it != j.end() && it->is_string())
    f.access_token = it->get_ref<const std::string&>();
  if (auto it = j.find("token_type"); it != j.end() && it->is_string())
    f.token_type = it->get_ref<const std::string&>();
  if (auto it = j.find("refresh_token"); it != j.end() && it->is_string())
    f.refresh_token = it->get_ref<const std::string&>();
  if (auto it = j.find("scope"); it != j.end() && it->is_string())
    f.scope = it->get_ref<const std::string&>();
  if (auto it = j.find("expires_in"); it != j.end() && it->is_number_integer())
    f.expires_in = it->get<std::int64_t>();
  return f;
}

// ---------------------------------------------------------------------------------------------
// RapidJSON: Document::Parse (default flags, in its own pool allocator), copy out.
owned_fields parse_rapidjson(const std::string& body) {
  owned_fields f;
  rapidjson::Document d;
  d.Parse(body.data(), body.size());
  if (d.HasParseError() || !d.IsObject()) return f;
  auto str = [&](const char* name, std::string& out) {
    auto it = d.FindMember(name);
    if (it != d.MemberEnd() && it->value.IsString())
      out.assign(it->value.GetString(), it->value.GetStringLength());
  };
  str("access_token", f.access_token);
  str("token_type", f.token_type);
  str("refresh_token", f.refresh_token);
  str("scope", f.scope);
  if (auto it = d.FindMember("expires_in"); it != d.MemberEnd() && it->value.IsInt64())
    f.expires_in = it->value.GetInt64();
  return f;
}

// ---------------------------------------------------------------------------------------------
// simdjson On-Demand: the user's bytes are not padded, so the copy into a padded_string is part
// of the cost. The parser (and its internal buffers) is reused across calls, as a long-lived
// client would do; that favours simdjson.
simdjson::ondemand::parser& simdjson_parser() {
  static thread_local simdjson::ondemand::parser p;
  return p;
}
owned_fields parse_simdjson(const std::string& body) {
  owned_fields f;
  simdjson::padded_string padded(body);
  simdjson::ondemand::document doc;
  if (simdjson_parser().iterate(padded).get(doc)) return f;
  simdjson::ondemand::object obj;
  if (doc.get_object().get(obj)) return f;
  for (auto field : obj) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return {};
    std::string* out = nullptr;
    if (key == "access_token")
      out = &f.access_token;
    else if (key == "token_type")
      out = &f.token_type;
    else if (key == "refresh_token")
      out = &f.refresh_token;
    else if (key == "scope")
      out = &f.scope;
    if (out != nullptr) {
      std::string_view v;
      if (field.value().get_string().get(v)) return {};
      out->assign(v);
    } else if (key == "expires_in") {
      std::int64_t n;
      if (field.value().get_int64().get(n)) return {};
      f.expires_in = n;
    }
  }
  return f;
}

// ---------------------------------------------------------------------------------------------
// cpprestsdk: web::json::value::parse (utility::string_t is std::string on Linux), copy out.
owned_fields parse_cpprest(const std::string& body) {
  owned_fields f;
  std::error_code ec;
  const web::json::value v = web::json::value::parse(body, ec);
  if (ec || !v.is_object()) return f;
  const auto& o = v.as_object();
  auto str = [&](const char* name, std::string& out) {
    auto it = o.find(name);
    if (it != o.end() && it->second.is_string()) out = it->second.as_string();
  };
  str("access_token", f.access_token);
  str("token_type", f.token_type);
  str("refresh_token", f.refresh_token);
  str("scope", f.scope);
  if (auto it = o.find("expires_in"); it != o.end() && it->second.is_integer())
    f.expires_in = it->second.as_number().to_int64();
  return f;
}

// ---------------------------------------------------------------------------------------------
// The floor: find each quoted string with memchr and copy the wanted values. No validation, no
// escapes, no nesting: the least work that still yields the same owned strings.
owned_fields parse_memchr_floor(const std::string& body) {
  owned_fields f;
  const char* p = body.data();
  const char* const end = p + body.size();
  for (;;) {
    const char* k =
        static_cast<const char*>(std::memchr(p, '"', static_cast<std::size_t>(end - p)));
    if (k == nullptr) break;
    const char* ke =
        static_cast<const char*>(std::memchr(k + 1, '"', static_cast<std::size_t>(end - k - 1)));
    if (ke == nullptr) break;
    const std::string_view key(k + 1, static_cast<std::size_t>(ke - k - 1));
    p = ke + 1;
    while (p < end && (*p == ':' || *p == ' ')) ++p;
    if (p == end) break;
    if (*p == '"') {
      const char* ve =
          static_cast<const char*>(std::memchr(p + 1, '"', static_cast<std::size_t>(end - p - 1)));
      if (ve == nullptr) break;
      const std::string_view v(p + 1, static_cast<std::size_t>(ve - p - 1));
      if (key == "access_token")
        f.access_token.assign(v);
      else if (key == "token_type")
        f.token_type.assign(v);
      else if (key == "refresh_token")
        f.refresh_token.assign(v);
      else if (key == "scope")
        f.scope.assign(v);
      p = ve + 1;
    } else {
      std::int64_t n = 0;
      while (p < end && *p >= '0' && *p <= '9') n = n * 10 + (*p++ - '0');
      if (key == "expires_in") f.expires_in = n;
    }
  }
  return f;
}

// ---------------------------------------------------------------------------------------------
// Ours, the general strict JSON reader alone (detail::json::parse, internal: a tape of every
// value), doing exactly the peers' work: parse, copy out the five values. parse_token_response
// does not use it for flat answers like these: it reads them in one pass without a tape
// (detail::json::read_flat_object) and falls back to this reader for anything else.
owned_fields parse_ours_json_reader(const std::string& body) {
  owned_fields f;
  namespace json = pa::detail::json;
  const pa::result<json::document> doc = json::parse(body);
  if (!doc) return f;
  const json::value root = doc->root();
  if (auto v = root.find("access_token")) v->copy_string_to(f.access_token);
  if (auto v = root.find("token_type")) v->copy_string_to(f.token_type);
  if (auto v = root.find("refresh_token")) v->copy_string_to(f.refresh_token);
  if (auto v = root.find("scope")) v->copy_string_to(f.scope);
  if (auto v = root.find("expires_in"))
    if (auto n = v->get_int64()) f.expires_in = *n;
  return f;
}

// ---------------------------------------------------------------------------------------------
// Ours: the real entry point, from the http_response a transport returns to an owned token.
owned_fields to_fields(const pa::token& t) {
  owned_fields f;
  f.access_token.assign(t.access_token.reveal());
  f.token_type = t.token_type;
  f.refresh_token.assign(t.refresh_token.reveal());
  f.scope = t.scope;
  f.expires_in = t.expires_in ? t.expires_in->count() : -1;
  return f;
}
pa::http_response make_response(const std::string& body) {
  pa::http_response r;
  r.status = 200;
  r.headers.add("Content-Type", "application/json");
  r.body = body;
  return r;
}
const pa::time_point kReceivedAt = pa::time_point(std::chrono::seconds(1000));

// ---------------------------------------------------------------------------------------------
struct fixture {
  const char* name;
  std::string body;
  pa::http_response response;
};
fixture& standard() {
  static fixture f{"standard", bench::load_fixture("standard_response.json"), {}};
  return f;
}
fixture& profile_api() {
  static fixture f{"profile", bench::load_fixture("profile_response.json"), {}};
  return f;
}

template <owned_fields (*Parse)(const std::string&)>
void bm_peer(benchmark::State& state, fixture* fx) {
  for (auto _ : state) {
    owned_fields f = Parse(fx->body);
    benchmark::DoNotOptimize(f);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * fx->body.size()));
}

void bm_ours(benchmark::State& state, fixture* fx) {
  for (auto _ : state) {
    pa::result<pa::token> t = pa::parse_token_response(fx->response, kReceivedAt);
    benchmark::DoNotOptimize(t);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * fx->body.size()));
}

// One check before any timing: every contestant extracts exactly the same values.
bool validate(fixture& fx) {
  fx.response = make_response(fx.body);
  const owned_fields ref = parse_nlohmann(fx.body);
  bool ok = ref.access_token.size() > 600 && ref.token_type == "Bearer" && ref.expires_in == 3600;
  auto check = [&](const char* who, const owned_fields& got) {
    if (!(got == ref)) {
      std::fprintf(stderr, "%s: %s extracted different values\n", fx.name, who);
      ok = false;
    }
  };
  check("rapidjson", parse_rapidjson(fx.body));
  check("simdjson", parse_simdjson(fx.body));
  check("cpprest", parse_cpprest(fx.body));
  check("memchr_floor", parse_memchr_floor(fx.body));
  check("ours_json_reader", parse_ours_json_reader(fx.body));
  pa::result<pa::token> t = pa::parse_token_response(fx.response, kReceivedAt);
  if (!t) {
    std::fprintf(stderr, "%s: ours failed: %s\n", fx.name, t.error().message.c_str());
    ok = false;
  } else {
    check("ours", to_fields(*t));
    if (t->expires_at != kReceivedAt + std::chrono::seconds(3600)) {
      std::fprintf(stderr, "%s: ours computed the wrong expiry\n", fx.name);
      ok = false;
    }
  }
  std::fprintf(stderr,
               "%s: %zu bytes; access_token %zu chars, refresh_token %zu, scope \"%s\"; "
               "all contestants agree: %s\n",
               fx.name, fx.body.size(), ref.access_token.size(), ref.refresh_token.size(),
               ref.scope.c_str(), ok ? "yes" : "NO");
  return ok;
}

void register_all(fixture& fx) {
  const std::string n = std::string("parse/") + fx.name + "/";
  benchmark::RegisterBenchmark((n + "nlohmann").c_str(), bm_peer<parse_nlohmann>, &fx);
  benchmark::RegisterBenchmark((n + "cpprest").c_str(), bm_peer<parse_cpprest>, &fx);
  benchmark::RegisterBenchmark((n + "rapidjson").c_str(), bm_peer<parse_rapidjson>, &fx);
  benchmark::RegisterBenchmark((n + "simdjson_ondemand").c_str(), bm_peer<parse_simdjson>, &fx);
  benchmark::RegisterBenchmark((n + "memchr_floor").c_str(), bm_peer<parse_memchr_floor>, &fx);
  benchmark::RegisterBenchmark((n + "ours_json_reader").c_str(), bm_peer<parse_ours_json_reader>,
                               &fx);
  benchmark::RegisterBenchmark((n + "ours").c_str(), bm_ours, &fx);
}

// --count mode: n parses of one contestant inside one non-inlined function, so that
// `valgrind --tool=callgrind --toggle-collect=count_loop*` counts exactly the parsing.
[[gnu::noinline]] std::size_t count_loop(const char* impl, fixture& fx, long n) {
  std::size_t sink = 0;
  const std::string_view which(impl);
  for (long i = 0; i < n; ++i) {
    if (which == "ours") {
      pa::result<pa::token> t = pa::parse_token_response(fx.response, kReceivedAt);
      sink += t ? t->access_token.size() : 0;
      continue;
    }
    owned_fields f;
    if (which == "nlohmann")
      f = parse_nlohmann(fx.body);
    else if (which == "rapidjson")
      f = parse_rapidjson(fx.body);
    else if (which == "simdjson_ondemand")
      f = parse_simdjson(fx.body);
    else if (which == "cpprest")
      f = parse_cpprest(fx.body);
    else if (which == "memchr_floor")
      f = parse_memchr_floor(fx.body);
    else if (which == "ours_json_reader")
      f = parse_ours_json_reader(fx.body);
    sink += f.access_token.size();
  }
  return sink;
}

// --pairs mode: on a shared machine whose speed drifts from one millisecond to the next, time
// short batches of ours and of simdjson On-Demand back to back (alternating which goes first)
// and report the median of the per-round ratios, which the drift cancels out of.
[[gnu::noinline]] double time_batch(bool ours, fixture& fx, int n) {
  const auto t0 = std::chrono::steady_clock::now();
  std::size_t sink = 0;
  for (int i = 0; i < n; ++i) {
    if (ours) {
      pa::result<pa::token> t = pa::parse_token_response(fx.response, kReceivedAt);
      sink += t ? t->access_token.size() : 0;
    } else {
      sink += parse_simdjson(fx.body).access_token.size();
    }
  }
  benchmark::DoNotOptimize(sink);
  const auto t1 = std::chrono::steady_clock::now();
  return std::chrono::duration<double, std::nano>(t1 - t0).count() / n;
}
int run_pairs(fixture& fx, long rounds) {
  constexpr int batch = 200;
  std::vector<double> ratio, ours_ns, peer_ns;
  for (long r = 0; r < rounds; ++r) {
    double a, b;
    if (r % 2 == 0) {
      a = time_batch(true, fx, batch);
      b = time_batch(false, fx, batch);
    } else {
      b = time_batch(false, fx, batch);
      a = time_batch(true, fx, batch);
    }
    ours_ns.push_back(a);
    peer_ns.push_back(b);
    ratio.push_back(b / a);
  }
  const auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  std::printf(
      "%s: %ld rounds of %d parses each: ours %.0f ns, simdjson_ondemand %.0f ns "
      "(medians); median of per-round simdjson/ours: %.3f\n",
      fx.name, rounds, batch, median(ours_ns), median(peer_ns), median(ratio));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::fprintf(stderr, "simdjson kernel: %s\n",
               simdjson::get_active_implementation()->name().c_str());
  const bool ok = validate(standard()) && validate(profile_api());
  if (!ok) return 1;
  if (argc == 5 && std::string_view(argv[1]) == "--count") {
    fixture& fx = std::string_view(argv[3]) == "profile" ? profile_api() : standard();
    // Warm up outside the collected function (first-call allocations, simdjson dispatch).
    parse_simdjson(fx.body);
    const std::size_t sink = count_loop(argv[2], fx, std::atol(argv[4]));
    std::printf("%zu\n", sink);
    return 0;
  }
  if (argc == 4 && std::string_view(argv[1]) == "--pairs") {
    fixture& fx = std::string_view(argv[2]) == "profile" ? profile_api() : standard();
    return run_pairs(fx, std::atol(argv[3]));
  }
  register_all(standard());
  register_all(profile_api());
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
