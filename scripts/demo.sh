#!/usr/bin/env bash
# Runs Gatehouse on http://127.0.0.1:8080 with its embedded SQLite store in ./var, and three sample
# apps signing in with it: Mail on http://127.0.0.1:8081 (OpenID Connect, front-channel logout),
# Docs on http://localhost:8082 (OpenID Connect, back-channel logout; another site than the IdP's),
# both with session management, and Wiki on http://localhost:8083 (SAML 2.0 on lasso, SOAP Single
# Logout). A second Gatehouse on http://localhost:8090, "Corporate SSO", stands in for an upstream
# identity provider people may sign in through (docs/FEDERATION.md), twice: over OpenID Connect,
# and as a SAML 2.0 IdP. Creates the demo user and the registrations the first time. Ctrl-C stops
# them all.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=build/release/src/idp/gatehouse
app_bin=build/release/apps/gatehouse-sample-app
export GATEHOUSE_DATA_DIR=${GATEHOUSE_DATA_DIR:-./var}
export GATEHOUSE_SERVER_LISTEN=${GATEHOUSE_SERVER_LISTEN:-127.0.0.1:8080}
issuer="http://${GATEHOUSE_SERVER_LISTEN}"
export GATEHOUSE_ISSUER=${GATEHOUSE_ISSUER:-$issuer}

demo_user=demo
demo_password=demo-password
demo_client=demo
demo_secret=demo-secret-change-me
mail_url=http://127.0.0.1:8081
mail_secret=mail-secret-change-me
docs_url=http://localhost:8082
docs_secret=docs-secret-change-me
wiki_url=http://localhost:8083
corp_url=http://localhost:8090
corp_secret=corp-secret-change-me

# Corporate SSO: its own data directory, port and issuer, and no upstream of its own.
corp() {
  env -u GATEHOUSE_CONFIG GATEHOUSE_DATA_DIR="$GATEHOUSE_DATA_DIR/corp" \
    GATEHOUSE_SERVER_LISTEN=127.0.0.1:${corp_url##*:} GATEHOUSE_ISSUER="$corp_url" "$bin" "$@"
}
(umask 077 && mkdir -p "$GATEHOUSE_DATA_DIR")  # private: it will hold the signing keys
config="$GATEHOUSE_DATA_DIR/gatehouse.toml"
corp_saml_metadata="$GATEHOUSE_DATA_DIR/corp-saml-idp.xml"
# fetch URL FILE: the demo needs no curl; python3 comes with the Wiki's lasso.
fetch() { /usr/bin/python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())' "$1" >"$2"; }

for gatehouse in "$bin" corp; do
  if ! $gatehouse user list | cut -f1 | grep -qx "$demo_user"; then
    $gatehouse user add --username "$demo_user" --password "$demo_password" \
      --name "Demo User" --email demo@example.com
  fi
done
if ! corp client list | cut -f1 | grep -qx gatehouse; then
  corp client add --id gatehouse --name Gatehouse --secret "$corp_secret" \
    --redirect-uri "$GATEHOUSE_ISSUER/upstream/corp/callback" \
    --post-logout-redirect-uri "$GATEHOUSE_ISSUER/upstream/corp/signed-out" \
    --backchannel-logout-uri "$GATEHOUSE_ISSUER/upstream/corp/backchannel-logout"
fi
# add_client ID NAME SECRET [more `client add` flags]: registers the client unless present.
add_client() {
  local id=$1 name=$2 secret=$3
  shift 3
  "$bin" client list | cut -f1 | grep -qx "$id" && return 0
  "$bin" client add --id "$id" --name "$name" --secret "$secret" "$@"
}
add_client "$demo_client" "Demo client" "$demo_secret" --redirect-uri "$GATEHOUSE_ISSUER/"
for app in mail docs; do
  url_var=${app}_url secret_var=${app}_secret
  url=${!url_var}
  channel=(--frontchannel-logout-uri "$url/logout/frontchannel")
  [ "$app" = docs ] && channel=(--backchannel-logout-uri "$url/logout/backchannel")
  add_client "$app" "${app^}" "${!secret_var}" --redirect-uri "$url/callback" \
    --post-logout-redirect-uri "$url/signed-out" "${channel[@]}"
done

pids=()
stop() {
  trap - EXIT INT TERM
  kill "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
}
trap stop EXIT
trap 'exit 130' INT TERM  # the EXIT trap then stops the children

# serve NAME PORT_FILE COMMAND...: starts a Gatehouse and waits until it listens.
serve() {
  local name=$1 port_file=$2
  shift 2
  rm -f "$port_file"
  "$@" serve --port-file "$port_file" &
  pids+=($!)
  until [ -s "$port_file" ]; do
    kill -0 "${pids[-1]}" 2>/dev/null || { echo "demo: $name did not start" >&2; exit 1; }
    sleep 0.1
  done
}
# Corporate SSO first: Gatehouse reads its SAML IdP metadata at start-up.
serve "Corporate SSO" "$GATEHOUSE_DATA_DIR/corp/idp.port" corp
fetch "$corp_url/saml/metadata" "$corp_saml_metadata"
cat >"$config" <<TOML
# Written by scripts/demo.sh: Corporate SSO as an upstream identity provider, over OpenID Connect
# and over SAML 2.0.
[[upstream]]
id = "corp"
name = "Corporate SSO"
issuer = "$corp_url"
client_id = "gatehouse"
client_secret = "$corp_secret"
link_by = "username"

[[upstream]]
id = "corp-saml"
name = "Corporate SSO (SAML)"
protocol = "saml"
metadata_file = "$corp_saml_metadata"
username_claim = "username"
email_claim = "email"
name_claim = "name"
link_by = "username"
TOML
export GATEHOUSE_CONFIG="$config"
serve gatehouse "$GATEHOUSE_DATA_DIR/idp.port" "$bin"
# Gatehouse's SP metadata for that upstream, registered at Corporate SSO the first time.
corp_saml_sp="$GATEHOUSE_ISSUER/upstream/corp-saml/saml"
if ! corp saml sp list | cut -f1 | grep -qx "$corp_saml_sp"; then
  fetch "$corp_saml_sp" "$GATEHOUSE_DATA_DIR/corp-saml-sp.xml"
  corp saml sp add --metadata "$GATEHOUSE_DATA_DIR/corp-saml-sp.xml" --name Gatehouse \
    --attributes username,email,name
fi

# run_app NAME SECTION ACCENT ID URL SECRET: one sample app; its sessions survive restarts in ./var.
run_app() {
  "$app_bin" --name "$1" --section "$2" --accent "$3" --client-id "$4" --base-url "$5" \
    --client-secret "$6" --listen "127.0.0.1:${5##*:}" --issuer "$GATEHOUSE_ISSUER" \
    --session-file "$GATEHOUSE_DATA_DIR/$4.sessions" &
  pids+=($!)
}
run_app Mail Inbox '#2f5bd3' mail "$mail_url" "$mail_secret"
run_app Docs Documents '#0f7b5f' docs "$docs_url" "$docs_secret"

# Wiki, the SAML service provider: it keeps its key in ./var/wiki and writes its metadata there,
# which registers it the first time.
wiki_dir="$GATEHOUSE_DATA_DIR/wiki"
rm -f "$wiki_dir/port"
/usr/bin/python3 apps/saml-wiki/wiki.py --issuer "$GATEHOUSE_ISSUER" --base-url "$wiki_url" \
  --state-dir "$wiki_dir" --port-file "$wiki_dir/port" &
pids+=($!)
until [ -s "$wiki_dir/port" ]; do
  kill -0 "${pids[-1]}" 2>/dev/null || { echo "demo: the Wiki did not start" >&2; exit 1; }
  sleep 0.1
done
if ! "$bin" saml sp list | cut -f1 | grep -qx "$wiki_url/metadata"; then
  "$bin" saml sp add --metadata "$wiki_dir/metadata.xml" --name Wiki
fi

cat <<MSG

  Gatehouse: $GATEHOUSE_ISSUER  (discovery: $GATEHOUSE_ISSUER/.well-known/openid-configuration)

  Mail:       $mail_url   front-channel logout + session management
  Docs:       $docs_url   back-channel logout + session management (another site)
  Wiki:       $wiki_url   SAML 2.0 (SAML metadata: $GATEHOUSE_ISSUER/saml/metadata)

  Corporate SSO: $corp_url   an upstream IdP: "Sign in with Corporate SSO" (OpenID Connect) and
                 "… (SAML)" on Gatehouse's sign-in page; signing out of an app then signs
                 out of it too

  Sign in as "$demo_user", password "$demo_password". Sign in to Mail, open Docs and Wiki (no
  password), sign out of any one: all three are signed out.

  Ctrl-C stops them all.

MSG
wait -n "${pids[@]}"  # one of them stopping ends the demo
