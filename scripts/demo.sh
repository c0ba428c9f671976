#!/usr/bin/env bash
# Runs Gatehouse on http://127.0.0.1:8080 with its embedded SQLite store in ./var, creating a demo
# user and a demo client the first time. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=build/release/src/idp/gatehouse
export GATEHOUSE_DATA_DIR=${GATEHOUSE_DATA_DIR:-./var}
export GATEHOUSE_SERVER_LISTEN=${GATEHOUSE_SERVER_LISTEN:-127.0.0.1:8080}
issuer="http://${GATEHOUSE_SERVER_LISTEN}"
export GATEHOUSE_ISSUER=${GATEHOUSE_ISSUER:-$issuer}

demo_user=demo
demo_password=demo-password
demo_client=demo
demo_secret=demo-secret-change-me

if ! "$bin" user list | cut -f1 | grep -qx "$demo_user"; then
  "$bin" user add --username "$demo_user" --password "$demo_password" \
    --name "Demo User" --email demo@example.com
fi
if ! "$bin" client list | cut -f1 | grep -qx "$demo_client"; then
  "$bin" client add --id "$demo_client" --name "Demo client" --secret "$demo_secret" \
    --redirect-uri "$GATEHOUSE_ISSUER/"
fi

cat <<MSG

  Gatehouse is starting at $GATEHOUSE_ISSUER

  Discovery:  $GATEHOUSE_ISSUER/.well-known/openid-configuration
  Sign in:    $GATEHOUSE_ISSUER/authorize?client_id=$demo_client&response_type=code&scope=openid%20profile&redirect_uri=$GATEHOUSE_ISSUER/&state=demo
              user "$demo_user", password "$demo_password"
  Client:     id "$demo_client", secret "$demo_secret" (exchange the code at $GATEHOUSE_ISSUER/token)

  Ctrl-C stops it.

MSG
exec "$bin" serve
