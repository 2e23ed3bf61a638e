#!/usr/bin/env bash
# Whole Linux kernel tree: vmsplice-lint against `rg -l vmsplice` side by side
# with its phase profile and the plain Node read floor (bench/trees.ts), and
# ast-grep (the nearest peer), medians of 5 runs after a warm-up.
# Usage: npm run bench:kernel   (or bash bench/kernel.sh [RUNS])
# The Linux source comes from Debian's linux-source-6.1 package only, unpacked
# into a cache outside the repository ($VMSPLICE_LINT_BENCH_CACHE, default
# ~/.cache/vmsplice-lint-bench) and reused.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
runs=${1:-5}
cache=${VMSPLICE_LINT_BENCH_CACHE:-$HOME/.cache/vmsplice-lint-bench}
mkdir -p "$cache"

need_root() { [ "$(id -u)" = 0 ] || { echo "bench/kernel: $1 needs root (apt-get); install it and rerun" >&2; exit 2; }; }

if ! command -v rg >/dev/null; then
  need_root ripgrep
  apt-get update -qq && apt-get install -y -qq ripgrep >/dev/null
fi
if [ ! -x /usr/bin/time ]; then
  need_root time
  apt-get install -y -qq time >/dev/null
fi

tree="$cache/linux-source-6.1"
if [ ! -d "$tree" ]; then
  need_root linux-source-6.1
  (cd "$cache" && apt-get update -qq && apt-get download linux-source-6.1 >/dev/null &&
    dpkg-deb -x linux-source-6.1_*_all.deb pkg && tar -xJf pkg/usr/src/linux-source-6.1.tar.xz && rm -rf pkg linux-source-6.1_*_all.deb)
fi

astgrep="$cache/ast-grep/node_modules/.bin/ast-grep"
if [ ! -x "$astgrep" ]; then
  mkdir -p "$cache/ast-grep"
  npm install --prefix "$cache/ast-grep" --no-audit --no-fund --no-save @ast-grep/cli@0.51.1 >/dev/null 2>&1
fi
cat > "$cache/vmsplice-call.yml" <<'EOF'
id: vmsplice-call
language: c
severity: warning
message: vmsplice call
rule:
  kind: call_expression
  has:
    field: function
    regex: ^vmsplice$
EOF

[ -f dist/src/cli.js ] || npm run build >/dev/null

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# The default run: .gitignore no longer hides this tree (discovery follows ripgrep: only inside a git work tree).
node dist/bench/trees.js --runs "$runs" "$tree"
sgcmd=("$astgrep" scan -r "$cache/vmsplice-call.yml" --json=compact .)
(cd "$tree" && "${sgcmd[@]}" >/dev/null 2>&1) || true
for _ in $(seq "$runs"); do
  (cd "$tree" && /usr/bin/time -f '%e %M' -o "$out/time" "${sgcmd[@]}" >/dev/null 2>"$out/err") || true
  tail -n 1 "$out/time" >>"$out/times"
done

(cd "$tree" && node "$repo/dist/src/cli.js" --exit-zero --format json .) >"$out/kernel.json"
(cd "$tree" && "${sgcmd[@]}" 2>/dev/null) >"$out/sg.json" || true

node - "$out" "$runs" "$(nproc)" <<'EOF'
const fs = require('fs');
const [out, runs, cpus] = process.argv.slice(2);
const median = (xs) => { const v = [...xs].sort((a, b) => a - b); return v[Math.floor(v.length / 2)]; };
const sg = fs.readFileSync(`${out}/times`, 'utf8').trim().split('\n').map((l) => l.split(' ').map(Number));
console.log(`ast-grep: ${median(sg.map((r) => r[0])).toFixed(2)} s wall (median of ${runs}, ${cpus} CPUs), peak RSS ${(Math.max(...sg.map((r) => r[1])) / 1024).toFixed(0)} MB`);
const j = JSON.parse(fs.readFileSync(`${out}/kernel.json`, 'utf8'));
console.log(`vmsplice-lint: ${j.summary.files} files read, ${j.summary.parsed} parsed, ${j.summary.findings} findings, ${j.summary.skipped} skipped`);
for (const f of j.findings) console.log(`  ${f.path}:${f.line}  ${f.ruleId}  ${f.message}`);
const splice = j.findings.filter((f) => f.path === 'fs/splice.c').length;
console.log(`fs/splice.c findings: ${splice} (must be 0)`);
let matches = 0;
try { matches = JSON.parse(fs.readFileSync(`${out}/sg.json`, 'utf8') || '[]').length; } catch {}
console.log(`ast-grep matches of vmsplice(...): ${matches}`);
EOF
