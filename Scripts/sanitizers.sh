#!/bin/bash
# The test suite under sanitizers (issue: hardening).
#   address: the whole suite (unit, CLI: the binary under test is built with ASan too) with
#            AddressSanitizer; LeakSanitizer in every run of the sriov-wizard binary by the CLI
#            tests (Tests/Sanitizers/lsan.supp: leaks inside the Swift regex runtime only),
#            not in the XCTest process itself (XCTest and Foundation keep test scaffolding
#            alive to the end, which LeakSanitizer reports).
#   thread:  the libxml2 layer and its users (XMLKitTests, ReportsTests) with ThreadSanitizer.
# Usage: bash Scripts/sanitizers.sh [address|thread]...   (default: both)
# Builds into .build-asan / .build-tsan; prints one "sanitizer NAME: ..." line per run and
# exits non-zero if a test failed or a sanitizer reported an error.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
kinds=("$@"); [ ${#kinds[@]} -gt 0 ] || kinds=(address thread)
asan_common=halt_on_error=1:detect_stack_use_after_return=1:strict_string_checks=1
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:$asan_common}
export SANITIZER_CHILD_ASAN_OPTIONS=${SANITIZER_CHILD_ASAN_OPTIONS:-detect_leaks=1:$asan_common}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/Tests/Sanitizers/lsan.supp:print_suppressions=0}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}
# The report server (Hummingbird, NIO, GRDB, postgres-nio) is left out of the sanitizer builds:
# it would double their build time; its own tests run in the normal suite (Package.swift).
export SRIOV_WIZARD_WITHOUT_SERVER=1
status=0
for kind in "${kinds[@]}"; do
  case $kind in
    address) scratch=.build-asan filter=() ;;
    thread) scratch=.build-tsan filter=(--filter 'XMLKitTests|ReportsTests') ;;
    *) echo "unknown sanitizer '$kind' (address, thread)" >&2; exit 64 ;;
  esac
  mkdir -p "$scratch"
  log=$scratch/sanitizer-test.log
  start=$(date +%s)
  if ! swift build --build-tests --sanitize="$kind" --scratch-path "$scratch" > "$scratch/sanitizer-build.log" 2>&1; then
    tail -30 "$scratch/sanitizer-build.log"; echo "sanitizer $kind: build failed ($scratch/sanitizer-build.log)"; status=1; continue
  fi
  swift test --skip-build --sanitize="$kind" --scratch-path "$scratch" --disable-swift-testing ${filter[@]+"${filter[@]}"} > "$log" 2>&1
  rc=$?
  reports=$(grep -cE '^==[0-9]+==ERROR: |^WARNING: ThreadSanitizer:' "$log")
  totals=$(grep -E 'Executed [0-9]+ tests?' "$log" | tail -1 | sed 's/^[[:space:]]*//')
  if [ $rc != 0 ] || [ "$reports" != 0 ]; then
    grep -E -A25 '^==[0-9]+==ERROR: |^WARNING: ThreadSanitizer:' "$log" | head -80
    grep -E 'error: .*(failed|XCT)' "$log" | head -20
    echo "sanitizer $kind: FAILED (status $rc, $reports sanitizer report(s); $totals; log $log)"
    status=1
  else
    echo "sanitizer $kind: passed, no reports ($totals; $(( $(date +%s) - start ))s)"
  fi
done
exit $status
