#!/usr/bin/env bash
# cairn.sh: the one entry point for a fresh Debian machine.
#   ./cairn.sh serve [flags]   install what is missing, build (Release), serve on :8000 with ./data
#   ./cairn.sh test [--long]   install what is missing, build (Release, then ASan+UBSan), run unit,
#                              integration and browser tests and the bounded deeper checks; --long runs
#                              those deeper (much longer); other arguments go to pytest
#   ./cairn.sh build           install what is missing, build the Release binary build/cairn
#   ./cairn.sh deps            install the Debian packages only
set -euo pipefail
cd "$(dirname "$0")"

BUILD_PACKAGES=(cmake g++ make pkg-config libboost1.74-dev node-llhttp libsimdjson-dev librocksdb-dev
  libssl-dev zlib1g-dev liburing-dev libisal-dev libzstd-dev libxxhash-dev libspdlog-dev libfmt-dev libcli11-dev libgtest-dev python3
  python3-botocore libgoogle-perftools-dev)
TEST_PACKAGES=(python3 python3-boto3 python3-boto python3-pytest python3-pytest-xdist faketime help2man
  dpkg-dev file clang openssl libclang-rt-14-dev python3-prometheus-client zstd chromium awscli)
# The browser tests (tests/browser/run) also need node and npm: Debian's nodejs and npm, installed
# only when no node with npm is there (a nodejs packaged elsewhere bundles npm and conflicts with
# Debian's npm package).
# The Ceph RADOS test cluster (tests/rados/cluster) and librados for its probe and for the RADOS
# engine (--engine rados, built when CMake finds librados): installed by `test`, before its builds,
# so the tested binaries have the engine; `build` and `serve` do not need them (install
# librados-dev libradospp-dev first to get the engine there too: README, "Running on a Ceph cluster").
RADOS_PACKAGES=(ceph-mon ceph-osd ceph-mgr ceph-common uuid-runtime librados-dev libradospp-dev)
JOBS=${JOBS:-$(nproc)}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

install_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "cairn.sh: installing ${missing[*]}" >&2
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

install_node() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then install_packages nodejs npm; fi
}

build() {  # build DIR CMAKE_ARGS...
  local dir=$1; shift
  cmake -S . -B "$dir" "$@" >/dev/null
  cmake --build "$dir" -j "$JOBS"
}

cmd=${1:-help}
shift || true
case "$cmd" in
  deps)
    install_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}" "${RADOS_PACKAGES[@]}"
    install_node
    ;;
  build)
    install_packages "${BUILD_PACKAGES[@]}"
    build build -DCMAKE_BUILD_TYPE=Release -DCAIRN_TESTS=OFF
    ;;
  serve)
    install_packages "${BUILD_PACKAGES[@]}"
    build build -DCMAKE_BUILD_TYPE=Release -DCAIRN_TESTS=OFF
    # Port 8000 and ./data unless the environment or the arguments say otherwise.
    CAIRN_PORT=${CAIRN_PORT:-8000} CAIRN_DATA_DIR=${CAIRN_DATA_DIR:-./data} exec ./build/cairn "$@"
    ;;
  test)
    long=()
    pytest_args=()
    for a in "$@"; do
      if [ "$a" = --long ]; then long=(--long); else pytest_args+=("$a"); fi
    done
    # Tests with a deeper variant read CAIRN_LONG.
    if [ ${#long[@]} -gt 0 ]; then export CAIRN_LONG=1; fi
    install_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}" "${RADOS_PACKAGES[@]}"
    install_node
    # The server `serve` runs must build too: g++ warns differently at -O3 than at -O2 (-Werror).
    build build -DCMAKE_BUILD_TYPE=Release -DCAIRN_TESTS=OFF
    # One build for every test, with AddressSanitizer and UndefinedBehaviorSanitizer, at -O1 with
    # line tables only (-g1: what the sanitizers' reports and gdb's backtraces use): the sanitizers'
    # checks are the same as at -O2 -g, and the tree builds in half the time (on 2 cores: 6.3 min,
    # 12.8 at -O2 -g; the unit tests take 28 s).
    build build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCAIRN_SANITIZE=ON \
      "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" \
      "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG"
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
    (cd build-asan && ctest --output-on-failure --timeout 300 -j "$JOBS")
    # libFuzzer targets (clang): 20 s each here, an hour each with --long (fuzz/README.md). They
    # keep leak detection on: their own sanitizer options, not the ones exported above.
    if [ ${#long[@]} -gt 0 ]; then fuzz_time=(--long); else fuzz_time=(--seconds 20); fi
    JOBS=$JOBS ASAN_OPTIONS= UBSAN_OPTIONS= fuzz/run "${fuzz_time[@]}"
    # ThreadSanitizer (its own build, ~20 min on 2 cores): with --long only, or tests/tsan/run.
    if [ ${#long[@]} -gt 0 ]; then JOBS=$JOBS tests/tsan/run; fi
    # The JavaScript SDK v3 for test_faults_js.py, from the npm registry (node and npm: install_node
    # above); without it that test is skipped, the others run.
    if command -v npm >/dev/null; then
      (cd tests/integration/js && npm ci --no-audit --no-fund --loglevel=error >/dev/null) ||
        echo "cairn.sh: npm ci failed in tests/integration/js; test_faults_js.py will be skipped" >&2
    fi
    # One pytest worker per core (pytest-xdist), each with its own session server: the tests never
    # see each other's tables (conftest.py), and most of their time is waiting on the server, the
    # SDKs or a sleep. On 2 cores the suite takes 3.5 min this way.
    # --dist loadgroup: the tests of an xdist_group (a tutorial's steps) share one worker.
    CAIRN_BIN="$PWD/build-asan/cairn" /usr/bin/python3 -m pytest tests/integration -q -n "$JOBS" \
      --dist loadgroup \
      ${pytest_args[@]+"${pytest_args[@]}"}
    # With --long, once more with each file's tests in reverse order (conftest.py): a test that
    # needs an earlier one's state without an xdist_group mark fails here, every time, instead of
    # in the runs where -n happens to split the two. This pass runs the servers on the epoll event
    # loop (CAIRN_EVENT_LOOP, as --event-loop epoll), the first on the default io_uring one.
    if [ ${#long[@]} -gt 0 ]; then
      CAIRN_EVENT_LOOP=epoll CAIRN_BIN="$PWD/build-asan/cairn" /usr/bin/python3 -m pytest \
        tests/integration -q -n "$JOBS" --dist loadgroup --reverse-order \
        ${pytest_args[@]+"${pytest_args[@]}"}
    fi
    # The web console and CORS in Debian's chromium, headless (screenshots: build-asan/browser-screenshots).
    tests/browser/run --bin "$PWD/build-asan/cairn"
    # kill -9 under a mixed write load, every acknowledged write checked after restart (Release).
    tests/crash/run --bin "$PWD/build/cairn" ${long[@]+"${long[@]}"}
    # What `cmake --install` and the .deb put on a machine (the Release build).
    tests/packaging/run build
    # The librados primitives of the RADOS engine's design (docs/rados.md), then the Release binary
    # on --engine rados (an integration subset, a kill -9 trial), against a throwaway Ceph cluster
    # of 3 OSDs (about 3 min, bounded at 420 s; --long runs more).
    rados_limit=420
    if [ ${#long[@]} -gt 0 ]; then rados_limit=900; fi
    tests/rados/run --timeout "$rados_limit" --bin build/cairn ${long[@]+"${long[@]}"}
    ;;
  *)
    sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
    [ "$cmd" = help ] || exit 2
    ;;
esac
