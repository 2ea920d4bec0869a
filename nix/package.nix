# The headroom package, built with the nixpkgs Swift toolchain (Swift >= 6.1: the manifest
# says swift-tools-version:6.1) and SwiftPM, its one dependency pinned through the
# swiftpm2nix files in ./swiftpm2nix. Use: pkgs.callPackage ./nix/package.nix { }.
#
# Installs bin/<every executable product>, lib/systemd/system/<every unit in systemd/>
# with /usr/bin/<product> rewritten to $out/bin/<product>, and
# lib/systemd/catalog/<every *.catalog> (see ./install.sh).
{
  lib,
  stdenv,
  swift,
  swiftpm,
  swiftpm2nix,
  pkg-config,
  jq,
  systemdLibs,
  libcgroup,
  curl,
  coreutils,
}:
let
  generated = swiftpm2nix.helpers ./swiftpm2nix;
  fs = lib.fileset;
in
stdenv.mkDerivation {
  pname = "headroom";
  version = "0.1.0-unstable";

  # Only what the build reads: a change to docs/, e2e/ or nix/ does not rebuild. Tests/
  # is needed because SwiftPM checks that every target in the manifest has its sources.
  src = fs.toSource {
    root = ../.;
    fileset = fs.unions [
      ../Package.swift
      ../Package.resolved
      ../Sources
      ../Tests
      ../systemd
    ];
  };

  # pkg-config puts the buildInputs' lib/pkgconfig on PKG_CONFIG_PATH, which SwiftPM reads
  # for the CSystemd (libsystemd) and CLibcgroup (libcgroup) system-library targets.
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

  configurePhase = ''
    runHook preConfigure
    ${generated.configure}
    runHook postConfigure
  '';

  # The swiftpm hook builds everything (`swift-build -c release`), tests excluded. The
  # test suite reads the live machine's /proc and cgroups, which the build sandbox does
  # not have: CI runs it with ./dev.sh test instead.
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
    mainProgram = "headroom";
    platforms = lib.platforms.linux;
  };
}
