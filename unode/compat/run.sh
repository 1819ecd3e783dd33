#!/usr/bin/env bash
# unode's npm compatibility suite: real npm packages, unmodified.
#
#   bash unode/compat/run.sh            (after `npm ci` in unode/compat)
#
# 1. Every programs/<name>.js (or .mjs) is a plain Node program that uses one
#    package, checks its results with node:assert and prints what it saw,
#    ending with "ok <name>". It runs under unode ($JSK node, default
#    target/x86_64-unknown-linux-gnu/release/jsk) and under node; unode's stdout must equal
#    programs/<name>.out if that file exists, else node's stdout, byte for
#    byte, and both must exit 0. A program whose first lines say
#    "// requires: node:http node:child_process global:Intl" is skipped (and
#    counted as skipped) while unode lacks one of those modules or globals.
# 2. The test suites that packages ship in their npm tarballs (tape): each
#    file runs under unode and node; unode must pass as many assertions as
#    node and fail none, except the failures listed for the suite below
#    (each with its reason: engine gaps that unode's JavaScript cannot fix).
#
# The built-in modules are loaded from this tree (JSK_SOURCE) unless
# JSK_SOURCE is set already. Prints "N passed, N failed, N skipped" last and
# exits non-zero on any failure.
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
JSK="${JSK:-$ROOT/target/x86_64-unknown-linux-gnu/release/jsk}"
case "$JSK" in /*) ;; *) JSK="$ROOT/$JSK" ;; esac
export JSK_SOURCE="${JSK_SOURCE-$ROOT}"
NODE="${NODE:-node}"
# Dates print the same under both runtimes whatever the machine's zone.
export TZ="${TZ:-UTC}"
TIMEOUT="${TIMEOUT:-60}"
ONLY="${1:-}"

if [ ! -d "$HERE/node_modules" ]; then
  echo "run.sh: $HERE/node_modules is missing: run 'npm ci' in unode/compat first (dev.sh test does)" >&2
  exit 1
fi
if [ ! -x "$JSK" ]; then
  echo "run.sh: $JSK not found: build jsk first (cargo build --release -p jsk-runtime)" >&2
  exit 1
fi
if ! command -v "$NODE" >/dev/null 2>&1; then
  echo "run.sh: node not found (the programs' output is compared with node's)" >&2
  exit 1
fi

OUT="$(mktemp -d /tmp/unode-compat.XXXXXX)"
trap 'rm -rf "$OUT"' EXIT
cd "$HERE"
passed=0 failed=0 skipped=0
failures=()
start=$(date +%s%N)

have_module() { # does unode have this built-in module (node:x), or this global (global:X)?
  case "$1" in
    global:*) (cd "$OUT" && timeout 20 "$JSK" node -e "if (typeof ${1#global:} === 'undefined') process.exit(1)" >/dev/null 2>&1) ;;
    *) (cd "$OUT" && timeout 20 "$JSK" node -e "require('$1')" >/dev/null 2>&1) ;;
  esac
}

declare -A HAVE
for f in programs/*.js programs/*.mjs; do
  [ -e "$f" ] || continue
  name="$(basename "${f%.*}")"
  [ -n "$ONLY" ] && [ "$ONLY" != "$name" ] && continue
  missing=""
  for m in $(sed -n '1,5s|^// requires: ||p' "$f"); do
    [ -n "${HAVE[$m]:-}" ] || { have_module "$m" && HAVE[$m]=yes || HAVE[$m]=no; }
    [ "${HAVE[$m]}" = yes ] || missing="$missing $m"
  done
  if [ -n "$missing" ]; then
    echo "skip $name (unode lacks$missing)"
    skipped=$((skipped + 1))
    continue
  fi
  t0=$(date +%s%N)
  timeout "$TIMEOUT" "$JSK" node "$f" >"$OUT/$name.unode" 2>"$OUT/$name.unode.err"; urc=$?
  t1=$(date +%s%N)
  timeout "$TIMEOUT" "$NODE" "$f" >"$OUT/$name.node" 2>"$OUT/$name.node.err"; nrc=$?
  expected="$OUT/$name.node"
  [ -f "programs/$name.out" ] && expected="programs/$name.out"
  why=""
  if [ $urc -ne 0 ]; then why="unode exited $urc"
  elif [ $nrc -ne 0 ]; then why="node exited $nrc (the program itself is wrong)"
  elif [ "$(tail -n 1 "$OUT/$name.unode")" != "ok $name" ]; then why="no 'ok $name' line"
  elif ! cmp -s "$expected" "$OUT/$name.unode"; then why="stdout differs from $( [ "$expected" = "$OUT/$name.node" ] && echo node || echo "programs/$name.out")"
  elif [ "$expected" != "$OUT/$name.node" ] && ! cmp -s "$expected" "$OUT/$name.node"; then why="node's stdout differs from programs/$name.out"
  fi
  ms=$(((t1 - t0) / 1000000))
  if [ -z "$why" ]; then
    echo "ok   $name (${ms} ms)"
    passed=$((passed + 1))
  else
    echo "FAIL $name: $why"
    diff "$expected" "$OUT/$name.unode" | head -20 | sed 's/^/    /'
    tail -n 15 "$OUT/$name.unode.err" | sed 's/^/    stderr: /'
    failed=$((failed + 1))
    failures+=("$name")
  fi
done

# ---- bundled test suites (tape files shipped in the packages' tarballs) ----------------
# package:the files to run, relative to node_modules/<package>[:known failures]
# Known failures are "not ok" titles separated by ';', then '#N': N assertions
# node runs that unode does not (they exist only where Intl does).
BUNDLED=(
  "minimist:test/*.js"
  # QuickJS words a read-only assignment error differently than V8 (test 306);
  # QuickJS interns the identifier ø as an existing Latin-1 atom "Ã¸" with the
  # same bytes (362, 363).
  "qs:test/parse.js test/stringify.js test/utils.js:regular assignment of an inherited non-writable property throws;should be deeply equivalent;should be deeply equivalent"
  "split2:test.js"
  "function-bind:test/index.js"
  "side-channel:test/index.js"
  "has-symbols:test/index.js test/tests.js"
  "es-errors:test/index.js"
  "is-regex:test/index.js"
  "is-date-object:test/index.js"
)
for entry in "${BUNDLED[@]}"; do
  pkg="${entry%%:*}"
  [ -n "$ONLY" ] && [ "$ONLY" != "$pkg" ] && [ "$ONLY" != bundled ] && continue
  rest="${entry#*:}"
  patterns="${rest%%:*}"
  known=""; missing=0
  if [ "$rest" != "$patterns" ]; then
    known="${rest#*:}"
    case "$known" in *"#"*) missing="${known##*#}"; known="${known%#*}" ;; esac
  fi
  files=()
  for pat in $patterns; do
    for f in node_modules/$pkg/$pat; do [ -f "$f" ] && files+=("$f"); done
  done
  if [ ${#files[@]} -eq 0 ]; then
    echo "skip $pkg tests (no test files in its tarball)"
    skipped=$((skipped + 1))
    continue
  fi
  upass=0 npass=0 ufail=0 bad="" crashed=""
  : >"$OUT/notok"
  for f in "${files[@]}"; do
    timeout "$TIMEOUT" "$JSK" node "$f" >"$OUT/t.unode" 2>&1; urc=$?
    timeout "$TIMEOUT" "$NODE" "$f" >"$OUT/t.node" 2>&1
    up=$(sed -n 's/^# pass *//p' "$OUT/t.unode" | tail -n 1); np=$(sed -n 's/^# pass *//p' "$OUT/t.node" | tail -n 1)
    uf=$(sed -n 's/^# fail *//p' "$OUT/t.unode" | tail -n 1)
    upass=$((upass + ${up:-0})); npass=$((npass + ${np:-0})); ufail=$((ufail + ${uf:-0}))
    sed -n 's/^not ok [0-9]* //p' "$OUT/t.unode" >>"$OUT/notok"
    [ -n "$up" ] || crashed="$crashed $f"
    if [ $urc -ne 0 ] || [ "${up:-0}" != "${np:-0}" ] || [ -n "$uf" ]; then
      bad="$bad $f"
      grep -E "^not ok|Error|^    (operator|expected|actual|at):" "$OUT/t.unode" | head -12 | sed "s|^|    $(basename "$f"): |"
    fi
  done
  # The failures must be exactly the known ones, and no more assertions may be missing.
  expected_notok="$(printf '%s' "$known" | tr ';' '\n' | sed '/^$/d' | sort)"
  if [ -n "$bad" ] && [ -z "$crashed" ] && [ "$(sort "$OUT/notok")" = "$expected_notok" ] && [ $((upass + ufail + missing)) -ge "$npass" ]; then
    echo "ok   $pkg bundled tests: ${#files[@]} files, $upass assertions passed (node: $npass); the $ufail known failures above are engine gaps"
    passed=$((passed + 1))
  elif [ -z "$bad" ]; then
    echo "ok   $pkg bundled tests: ${#files[@]} files, $upass assertions passed (node: $npass)"
    passed=$((passed + 1))
  else
    echo "FAIL $pkg bundled tests: $upass/$npass assertions passed, $ufail failed; in$bad"
    failed=$((failed + 1))
    failures+=("$pkg-tests")
  fi
done

end=$(date +%s%N)
secs=$(((end - start) / 1000000))
echo "unode compat: $((secs / 1000)).$(printf %03d $((secs % 1000))) s${failures[*]:+; failed: ${failures[*]}}"
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
