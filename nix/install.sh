# shellcheck shell=bash
# The install step of ./package.nix, sourced in its installPhase (and by nix/check, with a
# stand-in substituteInPlace, against a local `swift build`). Installs every executable
# product of Package.swift, every unit in systemd/ and every journal catalog, so that a
# new executable or unit needs no change here.
#
# headroomInstall BINPATH OUT KILL
#   BINPATH  SwiftPM's bin directory (swiftpmBinPath)
#   OUT      the prefix ($out)
#   KILL     an absolute kill(1) for ExecReload=/bin/kill, which NixOS does not have
# Run from the package root (where Package.swift is). Needs swift-package and jq.
headroomInstall() {
    local binPath=$1 out=$2 kill=$3
    local products product unit name
    products=$(swift-package describe --type json | jq -r '.products[] | select(.type | has("executable")) | .name')
    if [ -z "$products" ]; then
        echo "headroomInstall: Package.swift declares no executable product" >&2
        return 1
    fi
    for product in $products; do
        install -Dm755 "$binPath/$product" "$out/bin/$product" || return 1
    done

    local replacements=(--replace-quiet "=/bin/kill " "=$kill ")
    for product in $products; do
        replacements+=(--replace-quiet "/usr/bin/$product" "$out/bin/$product")
    done
    for unit in systemd/*.service systemd/*.socket systemd/*.path systemd/*.timer; do
        [ -e "$unit" ] || continue
        name=${unit##*/}
        install -Dm644 "$unit" "$out/lib/systemd/system/$name"
        substituteInPlace "$out/lib/systemd/system/$name" "${replacements[@]}"
    done
    # A unit still running something from /bin, /usr/bin, /sbin or /usr/sbin would fail on
    # NixOS: name it rather than install it.
    if [ -d "$out/lib/systemd/system" ] &&
        grep -HnE '^Exec[A-Za-z]*=[-@:+!|]*/(usr/)?s?bin/' "$out"/lib/systemd/system/*; then
        echo "headroomInstall: the lines above run a program outside the Nix store" >&2
        return 1
    fi

    for unit in systemd/*.catalog; do
        [ -e "$unit" ] || continue
        install -Dm644 "$unit" "$out/lib/systemd/catalog/${unit##*/}"
    done
}
