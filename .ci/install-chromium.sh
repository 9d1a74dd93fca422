#!/usr/bin/env bash
# Installs Debian's chromium for the inspector's browser test (test/browser/, ADR 0046) when it is
# missing. Quiet; on failure it warns and returns 0: the browser test then fails naming the
# install command (it never skips).
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
echo "note: chromium not found; installing it from Debian's packages" >&2
if ! (apt-get update -qq && apt-get install -y -qq chromium) >/dev/null 2>&1; then
  echo "warning: could not install chromium; the inspector browser test will fail (apt-get install -y chromium)" >&2
fi
exit 0
