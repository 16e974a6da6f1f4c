#!/usr/bin/env bash
# Lints api/openapi.yaml with Redocly CLI (config: redocly.yaml). Exits non-zero on any
# error-level problem; warnings are printed but do not fail. Needs `npm ci` here first.
set -euo pipefail
cd "$(dirname "$0")"
# No check for a newer CLI version on each run.
export REDOCLY_SUPPRESS_UPDATE_NOTICE=true
exec npx --no-install redocly lint ../../api/openapi.yaml --config redocly.yaml
