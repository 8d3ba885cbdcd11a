#!/usr/bin/env bash
# Plays Twilio for a local `vigil serve`: posts a customer's SMS reply to
# POST /webhook/twilio, signed as Twilio signs it (HMAC-SHA1 with the auth
# token over PUBLIC_BASE_URL + the path, then the parameters sorted by name,
# each as name then value; base64).
#
#   scripts/sms_reply.sh +9100000000123 YES
#
# Environment: TWILIO_AUTH_TOKEN and PUBLIC_BASE_URL as given to `vigil serve`
# (the demo uses "demo-token" and http://127.0.0.1:8080), VIGIL_URL where the
# server listens (default: PUBLIC_BASE_URL).
set -euo pipefail
if [[ $# -ne 2 ]]; then
  echo "usage: $0 PHONE_E164 BODY   (e.g. $0 +9100000000123 YES)" >&2
  exit 2
fi
from=$1
body=$2
token=${TWILIO_AUTH_TOKEN:?as given to vigil serve}
base=${PUBLIC_BASE_URL:?as given to vigil serve}
base=${base%/}
url=${VIGIL_URL:-$base}
url=${url%/}
to="+15005550006"
sid="SM$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
# Sorted by name: Body, From, MessageSid, To.
signed="$base/webhook/twilio""Body${body}From${from}MessageSid${sid}To${to}"
signature=$(printf '%s' "$signed" | openssl dgst -sha1 -hmac "$token" -binary | base64)
curl -sS "$url/webhook/twilio" -H "X-Twilio-Signature: $signature" \
  --data-urlencode "Body=$body" --data-urlencode "From=$from" \
  --data-urlencode "MessageSid=$sid" --data-urlencode "To=$to"
echo
