#!/usr/bin/env bash
# ADBench protocol (unsupervised, fit on all rows, labels only for scoring) over the ten sets in
# ../shared/data/adbench with `latentwatch evaluate`; extra arguments go to evaluate (e.g. --model vae).
# Prints one line per set and the mean AUROC / AUPRC.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="${ADBENCH_DIR:-$root/../shared/data/adbench}"
jar="$root/app/target/latentwatch-app.jar"
[ -d "$data" ] || { echo "no ADBench data in $data (set ADBENCH_DIR)" >&2; exit 2; }
[ -f "$jar" ] || "$root/mvnw" -q -B -DskipTests -pl app -am package >&2
sum_roc=0; sum_pr=0; n=0
for f in "$data"/*.csv; do
  name="$(basename "$f" .csv)"
  line="$(java -Xss4m -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -jar "$jar" evaluate --data "$f" "$@" 2>/dev/null | tail -1)"
  roc="$(sed -E 's/.*auroc=([0-9.]+).*/\1/' <<<"$line")"; pr="$(sed -E 's/.*auprc=([0-9.]+).*/\1/' <<<"$line")"
  printf '%-12s auroc=%s auprc=%s\n' "$name" "$roc" "$pr"
  sum_roc="$(echo "$sum_roc + $roc" | bc -l)"; sum_pr="$(echo "$sum_pr + $pr" | bc -l)"; n=$((n + 1))
done
printf 'mean         auroc=%.4f auprc=%.4f (%d sets)\n' "$(echo "$sum_roc / $n" | bc -l)" "$(echo "$sum_pr / $n" | bc -l)" "$n"
