#!/usr/bin/env bash
# The GitHub Action's own overhead: everything before vmsplice-lint reads the first file of the workspace,
# measured on the release tree (the files `npm pack` ships plus package-lock.json, as a release tag holds them).
#   cold: the setup step's checks, `npm ci --omit=dev --ignore-scripts` from an EMPTY npm cache (so from the
#         registry), then vmsplice-lint on a one-file tree (its start-up plus one small file: an upper bound);
#   warm: the setup step's checks, node_modules extracted from a zstd tarball as actions/cache restores it
#         (the download from GitHub's cache service is not part of it), then the same run.
# Medians of RUNS runs (default 3). Usage: npm run bench:action   (or bash bench/action-overhead.sh [RUNS])
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
[ -f dist/src/cli.js ] || { echo "bench/action-overhead: run npm run build first" >&2; exit 2; }
command -v zstd >/dev/null || { echo "bench/action-overhead: needs zstd (actions/cache compresses with it)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tarball=$(npm pack --ignore-scripts --pack-destination "$work" 2>/dev/null | tail -1)
mkdir "$work/release"
tar -xzf "$work/$tarball" -C "$work/release" --strip-components=1
cp package-lock.json "$work/release/"
mkdir -p "$work/ws/src"
cp fixtures/near-misses/other-calls.c "$work/ws/src/"

now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# The setup step's work: node's version against engines, the prebuilt dist/, the cache key from the lockfile.
checks() {
  (cd "$work/release" && node -e '
    const fs = require("fs");
    JSON.parse(fs.readFileSync("package.json", "utf8")).engines.node;
    fs.statSync("dist/src/cli.js");
    require("crypto").createHash("sha256").update(fs.readFileSync("package-lock.json")).digest("hex");
  ')
}
lint() { (cd "$work/ws" && node "$work/release/dist/src/cli.js" src >/dev/null) || [ $? -eq 1 ]; }

cold=() install=() warm=() restore=() run=()
for i in $(seq "$runs"); do
  rm -rf "$work/release/node_modules" "$work/npm-cache"
  t0=$(now)
  checks
  t1=$(now)
  (cd "$work/release" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --cache "$work/npm-cache" >/dev/null 2>&1)
  install+=("$(since "$t1")")
  t2=$(now)
  lint
  run+=("$(since "$t2")")
  cold+=("$(since "$t0")")

  (cd "$work/release" && tar --zstd -cf "$work/modules.tzst" node_modules && rm -rf node_modules)
  t0=$(now)
  checks
  t1=$(now)
  (cd "$work/release" && tar --zstd -xf "$work/modules.tzst")
  restore+=("$(since "$t1")")
  lint
  warm+=("$(since "$t0")")
done

printf 'node %s, npm %s, %s run(s), medians in seconds\n' "$(node --version)" "$(npm --version)" "$runs"
printf '  cold total  %6.2f   (npm ci from an empty cache %.2f, vmsplice-lint on one file %.2f)\n' \
  "$(printf '%s\n' "${cold[@]}" | median)" "$(printf '%s\n' "${install[@]}" | median)" "$(printf '%s\n' "${run[@]}" | median)"
printf '  warm total  %6.2f   (node_modules restored from zstd %.2f)\n' \
  "$(printf '%s\n' "${warm[@]}" | median)" "$(printf '%s\n' "${restore[@]}" | median)"
printf '  node_modules: %s, cache archive: %s\n' "$(du -sh "$work/release/node_modules" | cut -f1)" "$(du -h "$work/modules.tzst" | cut -f1)"
