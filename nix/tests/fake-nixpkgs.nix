# Stands in for `import nixpkgs { system; config; }` in ./flake-eval.nix: only what flake.nix
# touches. Derivations are attrsets with an outPath.
{
  system,
  config ? { },
}:
{
  stdenv.hostPlatform.system = system;
  # callPackage of nix/package.nix: a fake derivation named like the real one, so that the
  # flake's allowUnfreePredicate can be checked against it.
  callPackage = _path: _args: {
    type = "derivation";
    pname = "headroom";
    version = "0.1.0-unstable";
    name = "headroom-0.1.0-unstable";
    outPath = "/nix/store/00000000000000000000000000000000-headroom-0.1.0-unstable";
    # The config this package set was imported with (the flake's allowUnfreePredicate).
    nixpkgsConfig = config;
  };
  testers.runNixOSTest = test: { inherit test; };
}
