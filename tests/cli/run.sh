#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# End-to-end test of the profile-auth command-line tool (docs/cli.md) against
# tests/cli/fake_server.py on 127.0.0.1 (plain http: the library allows it for loopback).
#   tests/cli/run.sh path/to/profile-auth
# Checks every subcommand's output and exit codes, that a secret in argv is refused, that the
# secret never reaches stderr and that `curl` never prints the token.
set -u
CLI=${1:?usage: run.sh path/to/profile-auth}
PYTHON=${PYTHON:-python3}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

ID=cli-test-client
SECRET='s3cr3t-Value-7f1c'
WRONG='wr0ng-Secret-99aa'
unset NO_COLOR PROFILE_CLIENT_ID PROFILE_CLIENT_SECRET

"$PYTHON" "$HERE/fake_server.py" "$WORK/port" "$ID" "$SECRET" &
SERVER_PID=$!
for _ in $(seq 1 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
[ -s "$WORK/port" ] || { echo "FAIL: the fake server did not start"; exit 1; }
PORT=$(cat "$WORK/port")
BASE="http://127.0.0.1:$PORT"

FAILS=0
PASSES=0
pass() { PASSES=$((PASSES + 1)); echo "ok   $1"; }
fail() { FAILS=$((FAILS + 1)); echo "FAIL $1"; echo "  --- stdout:"; sed 's/^/  /' "$WORK/out"; echo "  --- stderr:"; sed 's/^/  /' "$WORK/err"; }
# run NAME EXPECTED_EXIT CMD...: runs CMD with stdout/stderr in $WORK/out and $WORK/err.
run() {
  local name=$1 want=$2
  shift 2
  "$@" >"$WORK/out" 2>"$WORK/err" </dev/null
  local rc=$?
  if [ "$rc" -ne "$want" ]; then fail "$name (exit $rc, expected $want)"; return 1; fi
  return 0
}
# check NAME: the previous run's result is good when the given test command succeeds.
check() { local name=$1; shift; if "$@"; then pass "$name"; else fail "$name"; fi; }
out_has() { grep -qE -- "$1" "$WORK/out"; }
err_has() { grep -qE -- "$1" "$WORK/err"; }
no_secret_anywhere() { ! grep -qF -- "$SECRET" "$WORK/out" "$WORK/err" && ! grep -qF -- "$WRONG" "$WORK/out" "$WORK/err"; }
stats() { "$PYTHON" - "$BASE" "$1" <<'EOF'
import json, sys, urllib.request
s = json.load(urllib.request.urlopen(sys.argv[1] + "/control/stats"))
v = s[sys.argv[2]]
print(len(v) if isinstance(v, list) else v)
EOF
}
json_check() { "$PYTHON" -c "import json,sys; d=json.load(open('$WORK/out')); sys.exit(0 if ($1) else 1)"; }
export PROFILE_CLIENT_ID=$ID

# --- version and help --------------------------------------------------------------------------
run "version" 0 "$CLI" --version && check "version: prints the version" out_has '^profile-auth [0-9]+\.[0-9]+\.[0-9]+$'
run "help" 0 "$CLI" --help && check "help: lists the exit codes" out_has 'credentials: the client id or secret is wrong'
for c in token curl inspect discover; do
  run "$c --help" 0 "$CLI" $c --help && check "$c --help: usage and exit codes" out_has "Usage: profile-auth $c"
done
run "no command" 2 "$CLI" && pass "no command: exit 2"
run "unknown command" 2 "$CLI" frobnicate && pass "unknown command: exit 2"
run "login is not there yet" 2 "$CLI" login && check "login: says it is not available" err_has 'not available yet'

# --- token ---------------------------------------------------------------------------------------
JWT_RE='^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$'
PROFILE_CLIENT_SECRET=$SECRET run "token (env)" 0 "$CLI" token --base-url "$BASE" &&
  check "token: prints a JWT-shaped token only" out_has "$JWT_RE"
cp "$WORK/out" "$WORK/token"
PROFILE_CLIENT_SECRET=$SECRET run "token --header" 0 "$CLI" token --base-url "$BASE" --header &&
  check "token --header: the whole Authorization value" out_has '^Bearer [A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$'
PROFILE_CLIENT_SECRET=$SECRET run "token --json" 0 "$CLI" token --base-url "$BASE" --json &&
  check "token --json: access_token, token_type Bearer, expires_in 3600" \
    json_check "d['token_type']=='Bearer' and d['expires_in']==3600 and d['access_token'].count('.')==2"
printf '%s\n' "$SECRET" >"$WORK/secret"
chmod 600 "$WORK/secret"
run "token --client-secret-file" 0 "$CLI" token --base-url "$BASE" --client-secret-file "$WORK/secret" &&
  check "token --client-secret-file: trailing newline dropped, token printed, no warning" \
    bash -c "grep -qE '$JWT_RE' '$WORK/out' && ! grep -q warning '$WORK/err'"
chmod 644 "$WORK/secret"
run "token --client-secret-file (mode 644)" 0 "$CLI" token --base-url "$BASE" --client-secret-file "$WORK/secret" &&
  check "token --client-secret-file readable by others: warns (chmod 600)" err_has 'accessible by other users: chmod 600'
if printf '%s\n' "$SECRET" | "$CLI" token --base-url "$BASE" --client-secret-stdin >"$WORK/out" 2>"$WORK/err"; then check "token --client-secret-stdin" out_has "$JWT_RE"; else fail "token --client-secret-stdin"; fi
run "token --client-id flag" 0 env -u PROFILE_CLIENT_ID PROFILE_CLIENT_SECRET=$SECRET "$CLI" token --base-url "$BASE" --client-id "$ID" &&
  pass "token --client-id: the flag works without PROFILE_CLIENT_ID"
last_request_ok() {  # the scope, audience and resources the last Profile token request carried
  "$PYTHON" - "$BASE" <<'EOF'
import json, sys, urllib.request
r = json.load(urllib.request.urlopen(sys.argv[1] + "/control/stats"))["last_request"]
sys.exit(0 if r.get("scope") == "read write" and r.get("audience") == "https://aud.example"
         and r.get("resource") == ["https://res.example/a", "https://res.example/b"] else 1)
EOF
}
PROFILE_CLIENT_SECRET=$SECRET run "token --scope --audience --resource" 0 "$CLI" token --base-url "$BASE" --json \
  --scope "read write" --audience https://aud.example --resource https://res.example/a --resource https://res.example/b &&
  check "token --scope/--audience/--resource: sent in the request" last_request_ok &&
  check "token --json: shows the granted scope" json_check "d['scope']=='read write'"
before=$(stats oauth_token)
PROFILE_CLIENT_SECRET=$SECRET run "token --token-endpoint --form" 0 "$CLI" token --token-endpoint "$BASE/oauth/token" --form &&
  check "token --token-endpoint URL --form: RFC 6749 form body with HTTP Basic" test "$(stats oauth_token)" -eq $((before + 1))
run "token --timeout 0" 2 "$CLI" token --timeout 0 && pass "token --timeout 0: exit 2"
PROFILE_CLIENT_SECRET=$SECRET run "token --issuer (RFC 8414, form + Basic)" 0 "$CLI" token --issuer "$BASE" --json &&
  check "token --issuer: token from the discovered endpoint" \
    test "$(stats oauth_token)" -ge 1

# Wrong secret: the credentials exit code; the server quotes the secret, stderr must not.
PROFILE_CLIENT_SECRET=$WRONG run "token, wrong secret" 4 "$CLI" token --base-url "$BASE" &&
  check "token, wrong secret: exit 4, invalid_client, secret not on stderr" \
    bash -c "grep -q invalid_client '$WORK/err' && ! grep -qF -- '$WRONG' '$WORK/err' '$WORK/out'"
run "token, empty secret file" 2 "$CLI" token --base-url "$BASE" --client-secret-file /dev/null &&
  check "token, empty secret: exit 2 with a hint" err_has 'no client secret'
printf '%s' "$WRONG" >"$WORK/wrong"
run "token --issuer, wrong secret" 4 "$CLI" token --issuer "$BASE" --client-secret-file "$WORK/wrong" &&
  check "token --issuer, wrong secret: exit 4, secret not printed" no_secret_anywhere

# A secret in argv is refused before anything is sent, and never echoed.
before=$(stats auth)
for sep in ' ' '='; do
  # shellcheck disable=SC2086
  run "token --client-secret${sep}…" 2 "$CLI" token --base-url "$BASE" --client-secret${sep}"$WRONG" &&
    check "token --client-secret${sep}…: refused (exit 2), explains argv, value not echoed" \
      bash -c "grep -q 'command line is readable' '$WORK/err' && ! grep -qF -- '$WRONG' '$WORK/err' '$WORK/out'"
done
run "curl --client-secret" 2 "$CLI" curl --base-url "$BASE" --client-secret "$WRONG" "$BASE/api/v4/test" &&
  check "curl --client-secret: refused too" no_secret_anywhere
run "secret flag before the command" 2 "$CLI" "--client-secret=$WRONG" token &&
  check "--client-secret=… as the command: not echoed" no_secret_anywhere
check "argv secrets: no token request was sent" test "$(stats auth)" -eq "$before"

run "token, no client id" 2 env -u PROFILE_CLIENT_ID PROFILE_CLIENT_SECRET=$SECRET "$CLI" token --base-url "$BASE" &&
  check "token without a client id: exit 2" err_has 'no client id'
PROFILE_CLIENT_SECRET=$SECRET run "token, server down" 3 "$CLI" token --base-url "http://127.0.0.1:1" &&
  check "token, connection refused: exit 3 (retryable)" err_has 'transport_failed'
PROFILE_CLIENT_SECRET=$SECRET run "token, wrong path" 6 "$CLI" token --token-endpoint "$BASE/nope" &&
  check "token, 404 token endpoint: exit 6 (misconfiguration)" err_has 'http_error'
PROFILE_CLIENT_SECRET=$SECRET run "token, insecure endpoint" 6 "$CLI" token --base-url "http://profile.example" &&
  check "token, plain http to a remote host: exit 6, nothing sent" err_has 'insecure_endpoint'
run "token, unknown option" 2 "$CLI" token --bogus && pass "token --bogus: exit 2"

# --- inspect -------------------------------------------------------------------------------------
if "$CLI" inspect - <"$WORK/token" >"$WORK/out" 2>"$WORK/err"; then
  check "inspect -: UNVERIFIED marker" out_has '^UNVERIFIED'
  check "inspect -: claims shown" out_has "sub: \"$ID\""
  check "inspect -: exp relative" out_has 'expires in (59|60) min'
  check "inspect -: no colour when stdout is not a terminal" bash -c "! grep -q $'\033' '$WORK/out'"
else fail "inspect -"; fi
run "inspect TOKEN --json" 0 "$CLI" inspect --json "$(cat "$WORK/token")" &&
  check "inspect --json: verified false, header, claims, times" \
    json_check "d['verified'] is False and d['jwt'] and d['header']['typ']=='at+jwt' and d['claims']['sub']=='$ID' and d['claims']['role']=='manager' and 'relative' in d['times']['exp'] and d['expired'] is False"
OLD=$("$PYTHON" -c "
import base64, json, time
e = lambda o: base64.urlsafe_b64encode(json.dumps(o).encode()).rstrip(b'=').decode()
now = int(time.time())
print(e({'alg': 'RS256'}) + '.' + e({'sub': 'old', 'exp': now - 3 * 3600 - 60, 'iat': now - 4 * 3600 - 60}) + '.c2ln')")
run "inspect expired" 0 "$CLI" inspect "$OLD" &&
  check "inspect: an expired token says 'expired 3 h ago'" out_has 'exp: .*\(expired 3 h ago\)'
run "inspect opaque" 0 "$CLI" inspect opaque-token-value && check "inspect: opaque token reported" out_has '^opaque token'
run "inspect opaque --json" 0 "$CLI" inspect --json opaque-token-value &&
  check "inspect --json opaque: jwt false" json_check "d['jwt'] is False and d['verified'] is False"
run "inspect bad payload" 9 "$CLI" inspect "$(echo "$OLD" | cut -d. -f1).%%%.c2ln" &&
  check "inspect: JWT header with a broken payload: exit 9 (local)" err_has 'invalid_base64'
run "inspect, no token" 2 "$CLI" inspect && pass "inspect without a token: exit 2"
# Colour only on a terminal and without NO_COLOR: script(1) gives the tool a pseudo-terminal.
if command -v script >/dev/null 2>&1; then
  script -qec "'$CLI' inspect '$OLD'" /dev/null >"$WORK/out" 2>"$WORK/err" </dev/null
  check "inspect on a terminal: coloured" bash -c "grep -q $'\033\\[' '$WORK/out'"
  NO_COLOR=1 script -qec "'$CLI' inspect '$OLD'" /dev/null >"$WORK/out" 2>"$WORK/err" </dev/null
  check "inspect on a terminal with NO_COLOR: no colour" bash -c "grep -q UNVERIFIED '$WORK/out' && ! grep -q $'\033' '$WORK/out'"
else
  echo "skip colour checks (script(1) not found)"
fi

# --- discover ------------------------------------------------------------------------------------
run "discover" 0 "$CLI" discover "$BASE/api/v4/test" &&
  check "discover: resource metadata from the 401's challenge, then AS metadata" \
    bash -c "grep -q 'resource_metadata from WWW-Authenticate' '$WORK/out' && grep -q 'authorization_servers: $BASE' '$WORK/out' && grep -q 'token_endpoint: $BASE/oauth/token' '$WORK/out'"
run "discover --json" 0 "$CLI" discover --json "$BASE/api/v4/test" &&
  check "discover --json: resource and authorization_server" \
    json_check "d['resource']['resource']=='$BASE/api/v4' and d['authorization_server']['issuer']=='$BASE' and d['resource']['scopes_supported']==['read','write']"
run "discover --exact" 8 "$CLI" discover --exact "$BASE/api/v4/test" &&
  check "discover --exact: a prefix resource is refused (exit 8, issuer_mismatch)" err_has 'issuer_mismatch' 
run "discover --issuer" 0 "$CLI" discover --issuer "$BASE" --json &&
  check "discover --issuer: AS metadata only" json_check "d['authorization_server']['token_endpoint']=='$BASE/oauth/token' and 'resource' not in d"
run "discover, nothing there" 6 "$CLI" discover --issuer "$BASE/nothing" &&
  check "discover, no metadata: exit 6" err_has 'http_error'

# --- curl ----------------------------------------------------------------------------------------
tokens_printed() {  # any token the server ever issued, on the previous run's stdout or stderr
  "$PYTHON" - "$BASE" "$WORK/out" "$WORK/err" <<'EOF'
import json, sys, urllib.request
toks = json.load(urllib.request.urlopen(sys.argv[1] + "/control/stats"))["all_issued"]
text = open(sys.argv[2]).read() + open(sys.argv[3]).read()
sys.exit(0 if any(t in text for t in toks) else 1)
EOF
}
export PROFILE_CLIENT_SECRET=$SECRET
run "curl POST" 0 "$CLI" curl --base-url "$BASE" -d '{"ping":"pong"}' "$BASE/api/v4/test" &&
  check "curl -d: body on stdout, status on stderr" bash -c "grep -q '\"ping\": \"pong\"' '$WORK/out' && grep -q 'HTTP 200' '$WORK/err'"
if tokens_printed; then fail "curl: the token is never printed"; else pass "curl: the token is never printed"; fi
run "curl -i" 0 "$CLI" curl --base-url "$BASE" -i -d '{}' "$BASE/api/v4/test" &&
  check "curl -i: status line and headers on stdout, then the body" \
    bash -c "head -1 '$WORK/out' | grep -q '^HTTP 200$' && grep -qi '^content-type: application/json' '$WORK/out' && grep -q 'success' '$WORK/out'"
run "curl -i --json" 0 "$CLI" curl --base-url "$BASE" -X POST -H 'Content-Type: application/json' -d '{"a":1}' --json "$BASE/api/v4/test" &&
  check "curl --json: status, headers, body" json_check "d['status']==200 and '\"a\": 1' in d['body'] and any(h[0].lower()=='content-type' for h in d['headers'])"
if tokens_printed; then fail "curl --json: the token is never printed"; else pass "curl --json: the token is never printed"; fi
# 401 -> fresh token -> one retry, by the library's send().
"$PYTHON" -c "import urllib.request; urllib.request.urlopen(urllib.request.Request('$BASE/control/reject-next', data=b'', method='POST'))"
before=$(stats auth)
run "curl, first token rejected" 0 "$CLI" curl --base-url "$BASE" -d '{}' "$BASE/api/v4/test" &&
  check "curl: a rejected token is refreshed and the request retried once" test "$(stats auth)" -eq $((before + 2))
if tokens_printed; then fail "curl retry: the token is never printed"; else pass "curl retry: the token is never printed"; fi
# Another origin (localhost is not 127.0.0.1): refused before anything is sent.
before=$(stats test)
run "curl, other origin" 6 "$CLI" curl --base-url "$BASE" -d '{}' "http://localhost:$PORT/api/v4/test" &&
  check "curl to an origin not allowed: exit 6 with an --api-origin hint" err_has '--api-origin' 
check "curl to an origin not allowed: the API saw no request" test "$(stats test)" -eq "$before"
run "curl --api-origin" 0 "$CLI" curl --base-url "$BASE" --api-origin "http://localhost:$PORT" -d '{}' "http://localhost:$PORT/api/v4/test" &&
  pass "curl --api-origin: the named origin is allowed"
run "curl, 404" 10 "$CLI" curl --base-url "$BASE" "$BASE/missing" &&
  check "curl, non-2xx answer: exit 10, status on stderr" err_has 'HTTP 404'
unset PROFILE_CLIENT_SECRET
run "curl, wrong secret" 4 env PROFILE_CLIENT_SECRET=$WRONG "$CLI" curl --base-url "$BASE" "$BASE/api/v4/test" &&
  check "curl, wrong secret: exit 4, secret not printed" no_secret_anywhere
run "curl, no URL" 2 env PROFILE_CLIENT_SECRET=$SECRET "$CLI" curl --base-url "$BASE" && pass "curl without a URL: exit 2"

echo "cli: $PASSES passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
