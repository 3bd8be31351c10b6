#!/usr/bin/env bash
# The transformers range of pyproject.toml, proven: the decoder and engine tests run on the lowest version
# it admits and on the newest, each installed with the dependencies pip picks for it into a cached
# folder (`pip install --target`, first on PYTHONPATH); torch comes from the venv. When the venv already
# holds the newest admitted version (a fresh `make install` does), `make test` has run these tests on it
# and they are not repeated here. CI (.ci/run) runs this after `make test`.
#   tests/compat/transformers_range.sh [PYTHON]      (default .venv/bin/python)
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${1:-${PYTHON:-.venv/bin/python}}
CACHE=${GLMOCR_COMPAT_DIR:-.venv/compat}
SPEC=$("$PY" -c 'import tomllib; deps = tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["glm"]; print(next(d for d in deps if d.startswith("transformers")))')
LOWEST=$(echo "$SPEC" | sed -n 's/.*>=\([0-9][0-9.]*\).*/\1/p')
NEWEST=$("$PY" -m pip index versions transformers 2>/dev/null | "$PY" -c '
import re, sys
from packaging.specifiers import SpecifierSet
from packaging.version import Version
spec = SpecifierSet(sys.argv[1].removeprefix("transformers"))
text = sys.stdin.read()
found = re.search(r"Available versions: (.*)", text)
versions = [Version(v) for v in found.group(1).split(", ")] if found else []
print(max((v for v in versions if v in spec and not v.is_prerelease), default=""))' "$SPEC")
VENV=$("$PY" -c 'import transformers; print(transformers.__version__)' 2>/dev/null || true)
[ -n "$NEWEST" ] || { echo "transformers_range: cannot list transformers versions (pip index)"; exit 1; }

status=0
for version in "$LOWEST" "$NEWEST"; do
  if [ "$version" = "$VENV" ] && [ "$version" = "$NEWEST" ]; then
    echo "== transformers $version (newest admitted by $SPEC) is the venv's own: tested by make test"
    continue
  fi
  dir="$CACHE/transformers-$version"
  if [ ! -f "$dir/.installed" ]; then
    rm -rf "$dir"
    "$PY" -m pip install --quiet --disable-pip-version-check --target "$dir" "transformers==$version"
    rm -rf "$dir"/torch "$dir"/torch-* "$dir"/bin   # never shadow the venv's torch or its scripts
    touch "$dir/.installed"
  fi
  echo "== transformers $version ($SPEC)"
  PYTHONPATH="$dir:$PWD" "$PY" -m pytest -q -p no:cacheprovider tests/test_decoder.py tests/test_glm_engine.py \
    || status=1
done
exit $status
