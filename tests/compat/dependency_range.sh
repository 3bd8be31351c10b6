#!/usr/bin/env bash
# A dependency range of pyproject.toml, proven: the given tests run on the lowest version the range
# admits and on the newest, each installed into a cached folder (`pip install --target`, first on
# PYTHONPATH); everything else comes from the venv. When the venv already holds the newest admitted
# version (a fresh `make install` does), `make test` has run the tests on it and they are not repeated.
# CI (.ci/run) runs this after `make test`, once per range it proves.
#   tests/compat/dependency_range.sh [--no-deps] PACKAGE TEST_FILE...
# --no-deps: install the package alone and keep the venv's copies of its dependencies (rapidocr 3.9
# asks for opencv-python, which needs libGL, where the venv holds the headless build of the same cv2;
# onnxruntime would bring a second numpy).
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-.venv/bin/python}
CACHE=${GLMOCR_COMPAT_DIR:-.venv/compat}
PIP_EXTRA=()
if [ "${1:-}" = "--no-deps" ]; then PIP_EXTRA=(--no-deps); shift; fi
PACKAGE=$1; shift
SPEC=$("$PY" -c '
import re, sys, tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
deps = project["dependencies"] + [d for group in project.get("optional-dependencies", {}).values() for d in group]
print(next(d for d in deps if re.match(re.escape(sys.argv[1]) + r"\s*[<>=!~]", d)))' "$PACKAGE")
LOWEST=$(echo "$SPEC" | sed -n 's/.*>=\([0-9][0-9.]*\).*/\1/p')
NEWEST=$("$PY" -m pip index versions "$PACKAGE" 2>/dev/null | "$PY" -c '
import re, sys
from packaging.specifiers import SpecifierSet
from packaging.version import Version
spec = SpecifierSet(sys.argv[1].removeprefix(sys.argv[2]))
found = re.search(r"Available versions: (.*)", sys.stdin.read())
versions = [Version(v) for v in found.group(1).split(", ")] if found else []
print(max((v for v in versions if v in spec and not v.is_prerelease), default=""))' "$SPEC" "$PACKAGE")
VENV=$("$PY" -c 'import sys; from importlib.metadata import version; print(version(sys.argv[1]))' "$PACKAGE" 2>/dev/null || true)
[ -n "$LOWEST" ] || { echo "dependency_range: $SPEC has no lower bound"; exit 1; }
[ -n "$NEWEST" ] || { echo "dependency_range: cannot list $PACKAGE versions (pip index)"; exit 1; }

status=0
for version in $(printf '%s\n' "$LOWEST" "$NEWEST" | sort -u); do
  if [ "$version" = "$VENV" ] && [ "$version" = "$NEWEST" ]; then
    echo "== $PACKAGE $version (newest admitted by $SPEC) is the venv's own: tested by make test"
    continue
  fi
  dir="$CACHE/$PACKAGE-$version"
  if [ ! -f "$dir/.installed" ]; then
    rm -rf "$dir"
    "$PY" -m pip install --quiet --disable-pip-version-check "${PIP_EXTRA[@]}" --target "$dir" "$PACKAGE==$version"
    rm -rf "$dir"/torch "$dir"/torch-* "$dir"/bin   # never shadow the venv's torch or its scripts
    touch "$dir/.installed"
  fi
  echo "== $PACKAGE $version ($SPEC)"
  PYTHONPATH="$dir:$PWD" "$PY" -m pytest -q -p no:cacheprovider "$@" || status=1
done
exit $status
