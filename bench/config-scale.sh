# The config-scale case of bench/run (sourced by it; not run on its own): `cfnc build` of the
# platform with 100, 1,000 and 5,000 threshold alarms in stacks/config/dev.yaml (override with
# CFNC_BENCH_ALARMS="100 1000 5000"), wall time and peak RSS per size. Each size is its own
# project (the config, lambda/, canary/ and a cfnc.toml whose app is the repository's stacks/),
# built once untimed (it writes the lock), then $RUNS times from a deleted output directory.
# Uses bench/run's measure, stat, mb, $CFNC, $ROOT, $WORK and $RUNS.

ALARM_SIZES=${CFNC_BENCH_ALARMS:-100 1000 5000}

# Writes a dev config with $2 alarms on the platform's published metrics to $1.
config_scale_config() {
  python3 - "$1" "$2" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
metrics = [("PaymentErrors", False), ("AuthenticationFailures", False), ("ProcessingLatency", False),
           ("TotalRequests", True), ("PaymentTransactionVolume", True), ("HealthCheckLatency", True)]
lines = ["notifications:", "  standard: [ops@payments.io]", "  critical: [oncall@payments.io]",
         "canary:", "  target_url: https://status.payments.io/health", "alarms:"]
for i in range(n):
    metric, env = metrics[i % len(metrics)]
    lines += [f"  - name: check-{i:05}", f"    metric: {metric}", "    statistic: Sum",
              f"    threshold: {i}", f"    systemic: {'true' if i % 10 == 0 else 'false'}"]
    if env:
        lines += ["    dimensions:", "      Environment: dev"]
open(path, "w").write("\n".join(lines) + "\n")
PY
}

config_scale_measure() {
  local release="" n dir
  if "$CFNC" build --help | grep -q -- '--release'; then release=--release; fi
  for n in $ALARM_SIZES; do
    echo "== cfnc build $release with $n configured alarms" >&2
    dir=$WORK/alarms-$n
    mkdir -p "$dir/stacks/config"
    cp -r "$ROOT/lambda" "$ROOT/canary" "$dir/"
    find "$dir" -name '__pycache__' -prune -exec rm -rf {} + 2>/dev/null || true
    printf '[app]\npath = "%s/stacks"\n' "$ROOT" > "$dir/cfnc.toml"
    config_scale_config "$dir/stacks/config/dev.yaml" "$n"
    "$CFNC" --project "$dir" -q build $release --out "$dir/out" >/dev/null # warm-up: writes the lock
    for i in $(seq "$RUNS"); do
      rm -rf "$dir/out"
      measure "cfnc build $n alarms" "$i" "$CFNC" --project "$dir" -q build $release --out "$dir/out"
    done
    python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(sum(s["resources"] for s in m["stacks"]), len(m["stacks"]))' \
      "$dir/out/dev/manifest.json" > "$WORK/alarms-size-$n.txt"
  done
}

# The Markdown section for BENCHMARKS.md.
config_scale_report() {
  local n total templates med
  echo "## cfnc build at config scale (N threshold alarms in stacks/config/dev.yaml)"
  echo
  echo "Each alarm is a CloudWatch alarm; past 100 the two composite alarms become trees of composites, and past the"
  echo "budget of a template the monitoring stack is split (README, \"Alarms at scale\")."
  echo
  echo "| alarms | resources | templates | wall (median) | peak RSS | µs per alarm |"
  echo "|---|---|---|---|---|---|"
  for n in $ALARM_SIZES; do
    read -r total templates < "$WORK/alarms-size-$n.txt"
    med=$(stat "cfnc build $n alarms" median)
    echo "| $n | $total | $templates | $med ms ($(stat "cfnc build $n alarms" min)) | $(mb "$(stat "cfnc build $n alarms" rss)") MB | $(awk -v m="$med" -v a="$n" 'BEGIN { printf "%.0f", m * 1000 / a }') |"
  done
  echo
}
