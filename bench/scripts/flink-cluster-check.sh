#!/usr/bin/env bash
# The job jar on a real Flink standalone session cluster, the nearest thing to `flink run` that this
# machine allows (Maven Central serves no Flink distribution): builds the job jar and a Flink lib/
# (docker/flink-lib: Flink's published jars + log4j, and DJL + libtorch exactly as docs/PIPELINE.md
# lists them), then runs FlinkClusterITCase: JobManager and TaskManager JVMs, `flink run -d` through
# CliFrontend, cutouts in with `astropt produce`, embeddings out read_committed, cancel, resubmit,
# and libtorch loaded once in the TaskManager. About a minute after the build; logs stay in the test's
# temp folder (printed on failure).
#   bench/scripts/flink-cluster-check.sh            # offline, from ~/.m2
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
mvn=(./mvnw -B -o -q)

echo "flink-cluster-check: building the job jar and the app (tests skipped)..." >&2
"${mvn[@]}" install -DskipTests -pl app -am
echo "flink-cluster-check: assembling the cluster's lib/ in docker/flink-lib/target/lib..." >&2
"${mvn[@]}" -f docker/flink-lib/pom.xml package -Pflink-dist
ls docker/flink-lib/target/lib
echo "flink-cluster-check: starting the cluster and running the job (FlinkClusterITCase)..." >&2
./mvnw -B -o test -pl app -Dtest=FlinkClusterITCase -Dsurefire.failIfNoSpecifiedTests=false \
  | grep -E "Tests run:|FAIL|ERROR|skipped|BUILD" || true
# grep hides Maven's exit status: the report decides.
report=app/target/surefire-reports/TEST-org.astropt.stream.app.FlinkClusterITCase.xml
grep -q 'tests="1" errors="0" skipped="0" failures="0"' "$report" \
  && echo "flink-cluster-check: PASSED" \
  || { echo "flink-cluster-check: FAILED or skipped; see $report" >&2; exit 1; }
