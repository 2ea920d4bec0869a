# The headroom package, built with nixpkgs' Swift 6.2 packaging (nixpkgs with PR 557896,
# "swift: 5.10.1 -> 6.2.4", or later; the flake pins one): `swift` + `swiftpm` (whose hook
# builds `swift build -c release`) and the SwiftPM dependencies vendored by
# `fetchSwiftPMDeps`, as doc/languages-frameworks/swift.section.md prescribes.
# Use: pkgs.callPackage ./nix/package.nix { } (or the flake's packages.<system>.default).
#
# Installs bin/<every executable product>, lib/systemd/system/<every unit in systemd/>
# with /usr/bin/<product> rewritten to $out/bin/<product>, and
# lib/systemd/catalog/<every *.catalog> (see ./install.sh).
{
  lib,
  stdenv,
  fetchSwiftPMDeps,
  swift,
  swiftpm,
  pkg-config,
  jq,
  systemdLibs,
  libcgroup,
  curl,
  coreutils,
  # The Swift runtime linked into the executables instead of taken from nixpkgs'
  # swiftPackages.stdlib at run time. Measured on Swift 6.3.1 (docs/BENCHMARKS.md,
  # "Static or shared Swift runtime"): see there for the figures behind this default.
  staticSwiftStdlib ? true,
}:
assert lib.assertMsg (lib.versionAtLeast swift.version "6.2") ''
  headroom needs Swift 6.2 or later (Package.swift: swift-tools-version:6.2); this nixpkgs
  has Swift ${swift.version}. Use the flake (it pins a nixpkgs with Swift 6.2.4), or a
  nixpkgs that includes the Swift 6.2 packaging (PR 557896).
'';
let
  fs = lib.fileset;
in
stdenv.mkDerivation (finalAttrs: {
  pname = "headroom";
  version = "0.1.0-unstable";

  # Only what the build reads: a change to docs/, e2e/ or nix/ does not rebuild. Tests/
  # is needed because SwiftPM checks that every target in the manifest has its sources.
  # Package.resolved is not in git (nor, then, in a flake's source): the pinned copy
  # in nix/ is put in place by postPatch, for fetchSwiftPMDeps and the build alike.
  src = fs.toSource {
    root = ../.;
    fileset = fs.unions [
      ../Package.swift
      ../Sources
      ../Tests
      ../systemd
    ];
  };

  postPatch = ''
    cp ${./Package.resolved} Package.resolved
  '';

  # The dependencies (swift-argument-parser) as a fixed-output derivation: its hash is
  # the NAR hash of { Package.resolved, Packages/swift-argument-parser (the checkout
  # without .git) }, which nix/check recomputes from a local checkout of the same pin.
  swiftpmDeps = fetchSwiftPMDeps {
    inherit (finalAttrs) pname version src postPatch;
    hash = "sha256-e+WKV1PhKNBax/f87/j0VQtOhl/80kG+SqugX4xiIk8=";
  };

  strictDeps = true;
  __structuredAttrs = true;

  # pkg-config puts the buildInputs' lib/pkgconfig on PKG_CONFIG_PATH, which SwiftPM reads
  # for the CSystemd (libsystemd), CLibcgroup (libcgroup) and CCurl system-library targets.
  nativeBuildInputs = [
    swift
    swiftpm
    pkg-config
    jq
  ];
  buildInputs = [
    systemdLibs
    libcgroup
    # headroom-ship (ticket delivery) links libcurl; the daemon itself does not use it.
    curl
  ];

  swiftpmFlags = lib.optionals staticSwiftStdlib [ "--static-swift-stdlib" ];

  # The test suite reads the live machine's /proc and cgroups, which the build sandbox does
  # not have: CI runs it with ./dev.sh test, and the VM test (nix/tests/vm.nix) runs the
  # package on NixOS.
  doCheck = false;

  dontUseSwiftpmInstall = true;
  installPhase = ''
    runHook preInstall
    source ${./install.sh}
    headroomInstall "$(swiftpmBinPath)" "$out" "${coreutils}/bin/kill"
    runHook postInstall
  '';

  meta = {
    description = "Memory-pressure and OOM supervisor for Linux VMs";
    longDescription = ''
      Headroom watches memory pressure (PSI, MemAvailable, swap) on a Linux VM and, before
      the kernel's OOM killer would, restarts the systemd unit that is responsible,
      leaving protected units alone and recording each incident.
    '';
    # The repository has no LICENSE file: no licence is granted, which nixpkgs calls
    # unfree. The flake allows this one package; change this when the project picks one.
    license = lib.licenses.unfree;
    platforms = lib.platforms.linux;
    mainProgram = "headroom";
  };
})
