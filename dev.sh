#!/usr/bin/env bash
# Developer entry point. On a fresh Debian 12 machine with Swift 6 (/opt/swift or on PATH):
#   ./dev.sh status   build, then show `headroom status` for this machine
#   ./dev.sh test     build and run the test suite
#   ./dev.sh e2e [NAME...]  the real-guest scenarios under Headroom (default, as CI: the older
#                     scenarios, the four fault scenarios and every issue-12 class at size a,
#                     ~45 min of guest boots (22), root; size b and the anchors: `e2e/run compare --sizes a,b`; e2e/README.md)
#   ./dev.sh bench    the tick micro-benchmarks (Benchmarks/, package-benchmark)
#   ./dev.sh fuzz [TARGET|all|list] [--runs N|--seconds S]  libFuzzer on the parsers (docs/FUZZING.md)
# Both first install the Debian packages the build needs (as root, or through sudo).
set -euo pipefail
cd "$(dirname "$0")"

[ -d /opt/swift/usr/bin ] && export PATH="/opt/swift/usr/bin:$PATH"

# Build needs: pkg-config finds libsystemd, libcgroup and libcurl (headroom-ship) for the C targets.
BUILD_PACKAGES=(pkg-config libsystemd-dev libcgroup-dev libcurl4-openssl-dev)
# Tests: python3 runs the metric parsers and the local webhook server; setpriv (util-linux)
# runs `headroom check` as an unprivileged user.
TEST_PACKAGES=(python3 python3-pip util-linux)
# The real-guest harness (e2e/): image, emulator, results disk, static workload.
E2E_PACKAGES=(debootstrap qemu-system-x86 qemu-utils e2fsprogs gcc libc6-dev python3)

install_packages() {
    local missing=()
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "dev.sh: installing ${missing[*]}" >&2
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update -q
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
}

command -v swift >/dev/null || { echo "dev.sh: swift is not on PATH (install Swift 6 from swift.org into /opt/swift)" >&2; exit 1; }

case "${1:-}" in
    status)
        install_packages "${BUILD_PACKAGES[@]}"
        swift build -c release --product headroom
        exec .build/release/headroom status "${@:2}"
        ;;
    test)
        install_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
        Tests/tools/install-metric-parsers
        exec swift test "${@:2}"
        ;;
    bench)
        install_packages "${BUILD_PACKAGES[@]}"
        exec Benchmarks/run "${@:2}"
        ;;
    fuzz)
        install_packages "${BUILD_PACKAGES[@]}"
        shift
        if [ $# -eq 0 ] || [[ "$1" == --* ]]; then set -- all "$@"; fi
        exec Fuzz/run "$@"
        ;;
    e2e)
        install_packages "${BUILD_PACKAGES[@]}" "${E2E_PACKAGES[@]}"
        if [ $# -gt 1 ]; then exec e2e/run scenario "${@:2}"; else exec e2e/run scenario --all --sizes a,faults; fi
        ;;
    *)
        sed -n '2,8p' "$0" >&2
        exit 2
        ;;
esac
