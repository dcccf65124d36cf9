#!/usr/bin/env bash
# The GitHub Action's step (action.yml), also run by `tests/cli_ci.rs`: lint with GitHub
# annotations, then check the generated configs are up to date. Inputs come from the
# environment (never interpolated into the script), word-split on spaces:
#   SLOXIDE_PATHS  spec paths (default .)
#   SLOXIDE_OUT    output directory; empty skips the up-to-date check
#   SLOXIDE_ARGS   extra build options
#   SLOXIDE_INSTALL  "path": cargo install from SLOXIDE_SOURCE unless sloxide is on PATH;
#                    "installed": use the one on PATH
set -euo pipefail
if ! command -v sloxide >/dev/null 2>&1; then
  if [ "${SLOXIDE_INSTALL:-path}" != path ]; then
    echo "::error title=sloxide::sloxide is not on PATH" && exit 2
  fi
  cargo install --locked --quiet --path "${SLOXIDE_SOURCE:?}"
fi
read -r -a paths <<< "${SLOXIDE_PATHS:-.}"
read -r -a args <<< "${SLOXIDE_ARGS:-}"
sloxide --version
status=0
sloxide check "${paths[@]}" --format github || status=$?
if [ -n "${SLOXIDE_OUT:-}" ] && [ "$status" = 0 ]; then
  sloxide build "${paths[@]}" -o "$SLOXIDE_OUT" "${args[@]}" --check --format github || status=$?
fi
exit "$status"
