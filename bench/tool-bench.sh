#!/usr/bin/env bash
# Whole-process benchmarks of the main job, as ratios measured in one run (never asserted in tests):
#   1. the installed .NET tool's whole main job on the embedded mock, against the check time inside it
#      (results.json: checksMs = the cases; targetMs = starting the embedded mock);
#   2. the peak memory (maximum resident set) of that main job;
#   3. with --self-test: the self-test command, `dotnet test ConformanceSuite.sln -c Release --no-build`, wall time,
#      and on Linux the machine's CPU time meanwhile (/proc/stat), which bounds the wall time from below on these cores.
# The tool is packed (Release) and installed with `dotnet tool install --tool-path` into a temporary folder,
# then run from an empty folder, as a vendor would. Needs the .NET SDK and GNU time (/usr/bin/time).
# Usage: bench/tool-bench.sh [--runs N] [--self-test]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=7
self_test=false
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --self-test) self_test=true; shift ;;
    *) echo "usage: bench/tool-bench.sh [--runs N] [--self-test]" >&2; exit 2 ;;
  esac
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/packages" "$work/empty"
dotnet pack src/ConformanceSuite.Cli -c Release -o "$work/packages" -v quiet -nologo >/dev/null
version=$(ls "$work/packages" | sed -n 's/^ConformanceSuite\.Tool\.\(.*\)\.nupkg$/\1/p')
cat > "$work/packages/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration><packageSources><clear /><add key="local" value="$work/packages" /></packageSources></configuration>
EOF
dotnet tool install ConformanceSuite.Tool --version "$version" --tool-path "$work/tool" --configfile "$work/packages/nuget.config" >/dev/null

median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

: > "$work/samples"
for i in $(seq 0 "$runs"); do
  ( cd "$work/empty" && /usr/bin/time -f "%e %M" -o "$work/time" "$work/tool/conformance" --report-dir "$work/run" >/dev/null )
  read -r wall kb < "$work/time"
  phases=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["checksMs"] / 1000, r["targetMs"] / 1000, r["planMs"] / 1000)' "$work/run/results.json")
  # Run 0 warms the disk cache and is not counted.
  [ "$i" -gt 0 ] && echo "$wall $kb $phases" >> "$work/samples"
done

col() { awk -v c="$1" '{ print $c }' "$work/samples" | median; }
wall=$(col 1); kb=$(col 2); checks=$(col 3); target=$(col 4); plan=$(col 5)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "installed tool ${version}, embedded mock, median of ${runs} runs (after one warm-up) on $(nproc) cores"
printf '  whole process         %6.2f s\n' "$wall"
printf '  contracts and cases   %6.2f s  (plan)\n' "$plan"
printf '  mock start            %6.2f s\n' "$target"
printf '  checks (the cases)    %6.2f s\n' "$checks"
echo "  whole / checks                  $(ratio "$wall" "$checks")x   (goal <= 1.5)"
echo "  whole / (mock start + checks)   $(ratio "$wall" "$(awk -v a="$target" -v b="$checks" 'BEGIN { print a + b }')")x"
printf '  peak memory           %6.0f MB  (goal <= 200)\n' "$(awk -v k="$kb" 'BEGIN { print k / 1024 }')"

if $self_test; then
  dotnet build ConformanceSuite.sln -c Release -v quiet -nologo >/dev/null
  # The machine's busy time (user, nice, system, irq, softirq), in clock ticks; empty where there is no /proc/stat.
  busy() { [ -r /proc/stat ] && awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat || true; }
  before=$(busy)
  start=$(date +%s.%N)
  dotnet test ConformanceSuite.sln -c Release --no-build >/dev/null 2>&1 || echo "  (the self-test command failed)"
  end=$(date +%s.%N)
  after=$(busy)
  printf '  self-test command     %6.1f s wall  (goal <= 40)\n' "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')"
  if [ -n "$before" ]; then
    cores=$(nproc)
    awk -v a="$before" -v b="$after" -v hz="$(getconf CLK_TCK)" -v n="$cores" \
      'BEGIN { cpu = (b - a) / hz; printf "  the machine'"'"'s CPU meanwhile %6.1f s: at least %.1f s of wall on %d cores\n", cpu, cpu / n, n }'
  fi
fi
