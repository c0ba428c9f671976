#!/usr/bin/env bash
# Prints this machine's RSA-2048 signatures per second on one CPU (`openssl speed rsa2048`), the
# ceiling every benchmark that signs (logout tokens, SAML messages) is compared with. Measured
# twice and the better kept: a momentary stall lowers one run, and a lower ceiling would flatter
# the share reached.
set -euo pipefail
echo "rsa_ceiling.sh: measuring the RSA-2048 signing ceiling (openssl speed, ~20 s)" >&2
per_cpu=$(for run in 1 2; do openssl speed -seconds 3 rsa2048 2>/dev/null; done |
  awk '$1 == "rsa" && $2 == "2048" && $6 > best { best = $6 } END { if (best) print best }')
[[ -n $per_cpu ]] || { echo "rsa_ceiling.sh: could not read openssl speed's output" >&2; exit 1; }
echo "$per_cpu"
