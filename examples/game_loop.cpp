// SPDX-License-Identifier: MIT
// profile-auth example: a game-style main loop that never blocks on authentication.
//
// The loop runs frame after frame; authentication happens through callbacks. Nothing in a frame
// waits for the network: the first frame asks for a token and goes on; a few frames later the
// answer arrives and every queued callback runs; from then on the cached token is handed out
// inside the call. Refreshes happen ahead of expiry while the old token keeps being served.
//
// Offline (the default) the "network" is a stand-in for a console's HTTP module: it answers
// each request three frames later, from the in-process fake Profile API, and 30 simulated
// seconds pass per frame, so token lifetimes, refreshes and an outage show up in a few hundred
// frames. With PROFILE_API_BASE, PROFILE_CLIENT_ID and PROFILE_CLIENT_SECRET set it uses
// libcurl's multi interface (curl_multi_transport, polled once per frame) against that server.
// Tokens and secrets are never printed.
#include <profile/auth/async_m2m_client.hpp>
#include <profile/auth/profile.hpp>
#include <profile/auth/testing.hpp>
#include <profile/auth/transports/curl_multi.hpp>

#include <chrono>      // frame times
#include <cstdio>      // std::printf: the narration
#include <cstdlib>     // std::getenv
#include <deque>       // requests "on the wire"
#include <functional>  // std::function holds a pending callback
#include <string>      // bodies, messages
#include <thread>      // std::this_thread::sleep_for between online frames
#include <utility>     // std::move

namespace pa = profile::auth;
using namespace std::chrono_literals;

namespace {

/// An AsyncTransport in the style of a platform HTTP module: async_send() queues the request,
/// and the game's tick() delivers answers a few frames later, on the game thread. Here the
/// answers come from the fake Profile API; on a console they would come from the platform.
class frame_delayed_transport {
 public:
  frame_delayed_transport(pa::testing::fake_profile_api api, int delay_frames)
      : api_(std::move(api)), delay_(delay_frames) {}

  template <class Callback>
  void async_send(pa::http_request request, Callback callback) {
    queue_.push_back({frame_ + delay_, std::move(request), std::move(callback)});
  }

  /// Called once per frame: delivers the answers that are due.
  void tick(int frame) {
    frame_ = frame;
    while (!queue_.empty() && queue_.front().due <= frame) {
      in_flight item = std::move(queue_.front());
      queue_.pop_front();
      item.callback(api_.send(item.request));  // may queue new requests: fine
    }
  }
  [[nodiscard]] std::size_t pending() const { return queue_.size(); }

 private:
  struct in_flight {
    int due;
    pa::http_request request;
    std::function<void(pa::result<pa::http_response>)> callback;
  };
  pa::testing::fake_profile_api api_;
  int delay_;
  int frame_ = 0;
  std::deque<in_flight> queue_;
};
static_assert(pa::AsyncTransport<frame_delayed_transport>);

int failures = 0;

void expect(bool ok, const char* what) {
  if (!ok) {
    std::printf("   !! unexpected: %s\n", what);
    ++failures;
  }
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? std::string(v) : std::string();
}

int run_offline() {
  std::printf(
      "profile-auth %s game loop, offline: answers arrive 3 frames after a request; a frame\n"
      "lasts 30 simulated seconds. (Set PROFILE_API_BASE, PROFILE_CLIENT_ID and\n"
      "PROFILE_CLIENT_SECRET to use a real server over libcurl's multi interface.)\n\n",
      PROFILE_AUTH_VERSION_STRING);

  pa::testing::manual_clock clock;
  pa::testing::fake_profile_api::options server;
  server.client_id = "game-server";
  server.client_secret = pa::secret{"demo-secret-not-real"};
  pa::testing::fake_profile_api api(clock, server);  // copies share one server
  frame_delayed_transport http(api, 3);

  // single_threaded: the whole game runs on one thread, so no atomics and no mutexes.
  pa::async_m2m_client<frame_delayed_transport*, pa::testing::manual_clock, pa::single_threaded>
      client{&http, pa::profile::m2m_config("game-server", pa::secret{"demo-secret-not-real"}),
             clock};

  int header_frames = 0, header_inside_call = 0, sent = 0, answered = 0, ok = 0;
  int first_token_frame = -1;
  bool score_in_flight = false;
  int calling_frame = -1;  // the frame whose authorization_header() call is running, else -1
  pa::token_cache_stats seen{};
  constexpr int frames = 480;
  for (int frame = 0; frame < frames; ++frame) {
    http.tick(frame);  // the "network" delivers what is due; callbacks run here

    if (frame == 300) {
      std::printf(
          "frame %3d: the token endpoint will answer its next request with 503 (Retry-After: 30)\n",
          frame);
      api.inject(pa::testing::fault::unavailable(30s), 1, pa::testing::fake_endpoint::token);
    }

    // Every frame: the Authorization value, for whatever the frame sends. Usually the callback
    // runs inside this call; while the first token is on its way it is queued instead.
    // The callback may run frames later, so it compares frames rather than holding a flag
    // that lives only for this iteration.
    calling_frame = frame;
    client.authorization_header([&, asked = frame](pa::result<std::string> h) {
      ++header_frames;
      if (calling_frame == asked) ++header_inside_call;
      if (h && first_token_frame < 0) {
        first_token_frame = frame;
        std::printf("frame %3d: the first token arrived; the callback asked on frame %d ran now\n",
                    frame, asked);
      }
    });
    calling_frame = -1;

    // Every 10 frames: post a score to /api/v4/test, unless the previous one is still out.
    if (frame % 10 == 0 && !score_in_flight) {
      score_in_flight = true;
      ++sent;
      client.send(pa::profile::test_request(R"({"score":)" + std::to_string(frame) + "}"),
                  [&, frame](pa::result<pa::http_response> r) {
                    score_in_flight = false;
                    ++answered;
                    if (r && r->status == 200) ++ok;
                    if (!r)
                      std::printf("frame %3d: score post failed: %s\n", frame,
                                  r.error().message.c_str());
                  });
    }

    // Narrate what the client did this frame (from its counters; tokens are never shown).
    const pa::token_cache_stats now = client.stats();
    if (now.refreshes_ahead > seen.refreshes_ahead)
      std::printf("frame %3d: refresh ahead started; this frame still used the current token\n",
                  frame);
    if (now.failures > seen.failures)
      std::printf("frame %3d: that refresh failed; the still-valid token keeps being served\n",
                  frame);
    if (now.tokens_issued > seen.tokens_issued && frame != first_token_frame)
      std::printf("frame %3d: the new token arrived and replaced the old one\n", frame);
    seen = now;

    clock.advance(30s);  // the next frame, 30 simulated seconds later
  }
  while (http.pending() > 0) http.tick(1 << 20);  // let the last answers land

  const pa::token_cache_stats s = client.stats();
  std::printf(
      "\nafter %d frames (4 simulated hours):\n"
      "  header callbacks        : %d (%d ran inside the call, %d were queued for a flight)\n"
      "  score posts             : %d sent, %d answered, %d with 200\n"
      "  token requests          : %zu (a token lives 120 frames; refreshed ahead of expiry)\n"
      "  refreshes ahead         : %llu, failed token requests: %llu\n"
      "  callers queued behind a flight: %llu (only before the very first token)\n",
      frames, header_frames, header_inside_call, header_frames - header_inside_call, sent, answered,
      ok, api.token_requests(), static_cast<unsigned long long>(s.refreshes_ahead),
      static_cast<unsigned long long>(s.failures), static_cast<unsigned long long>(s.waits));

  expect(header_frames == frames, "every frame's callback ran exactly once");
  expect(first_token_frame >= 0, "a token arrived");
  expect(header_frames - header_inside_call == 3, "only the frames before the first token queued");
  expect(answered == sent && ok == sent, "every score post was answered with 200");
  expect(s.refreshes_ahead >= 3, "tokens were refreshed ahead of expiry");
  expect(s.failures == 1, "the outage was seen, and the retry after it succeeded");
  expect(api.token_requests() <= 8, "a handful of token requests, not one per frame");

  std::printf("\n%s\n", failures == 0 ? "Done: no frame ever waited for the network."
                                      : "Done, with unexpected results (see above).");
  return failures == 0 ? 0 : 1;
}

int run_online(const std::string& base, const std::string& id, std::string secret_text) {
  std::printf("profile-auth %s game loop against %s (libcurl multi, polled every frame)\n\n",
              PROFILE_AUTH_VERSION_STRING, base.c_str());
  pa::transports::curl_multi_transport http;
  pa::async_m2m_client<pa::transports::curl_multi_transport*, std::chrono::steady_clock,
                       pa::single_threaded>
      client{&http, pa::profile::m2m_config(id, pa::secret{std::move(secret_text)}, base)};

  bool done = false;
  int status = 0;
  std::string error;
  client.send(pa::profile::test_request(R"({"ping":"pong"})", base),
              [&](pa::result<pa::http_response> r) {
                done = true;
                if (r)
                  status = r->status;
                else
                  error = r.error().message;
              });
  int frame = 0;
  for (; !done && frame < 60 * 30; ++frame) {  // 30 s of 60 fps frames at most
    http.poll();                               // never blocks
    std::this_thread::sleep_for(16ms);         // the rest of the frame: render, simulate …
  }
  if (!done) {
    std::printf("no answer within 30 s of frames\n");
    return 1;
  }
  if (!error.empty()) {
    std::printf("frame %d: failed: %s\n", frame, error.c_str());
    return 1;
  }
  std::printf("frame %d: POST /api/v4/test answered HTTP %d; no frame waited for it\n", frame,
              status);
  return status >= 200 && status < 300 ? 0 : 1;
}

}  // namespace

int main() {
  const std::string base = env("PROFILE_API_BASE");
  const std::string id = env("PROFILE_CLIENT_ID");
  std::string secret_text = env("PROFILE_CLIENT_SECRET");
  const int set = !base.empty() + !id.empty() + !secret_text.empty();
  if (set == 3) return run_online(base, id, std::move(secret_text));
  if (set != 0) {
    std::printf(
        "Set all three of PROFILE_API_BASE, PROFILE_CLIENT_ID and PROFILE_CLIENT_SECRET "
        "to use a real server, or none of them for the offline run.\n");
    return 2;
  }
  return run_offline();
}
