# flake.nix's outputs evaluated against nixpkgs' real lib and a stand-in for the package set
# (./fake-nixpkgs.nix): the attributes an operator uses exist, the module it exports gets the
# flake's package as its default, and the VM test is wired in. Run by nix/check with
# NIXPKGS_LIB. Building the package and running the VM test need the pinned nixpkgs.
{ lib }:
let
  flake = import ../../flake.nix;
  nixpkgs = {
    inherit lib;
    outPath = ./fake-nixpkgs.nix;
  };
  outputs = flake.outputs {
    inherit self nixpkgs;
  };
  self = outputs // {
    outPath = ../..;
  };
  system = "x86_64-linux";
  pkgs = import ./fake-nixpkgs.nix { inherit system; };
  moduleConfig =
    (lib.evalModules {
      modules = [
        outputs.nixosModules.default
        ./nixos-options.nix
        {
          _module.args.pkgs = pkgs // {
            formats.json = { }: {
              type = lib.types.attrsOf lib.types.anything;
              generate = name: _: { type = "derivation"; inherit name; outPath = "/nix/store/x-${name}"; };
            };
            runCommand = name: _: _: { type = "derivation"; inherit name; outPath = "/nix/store/x-${name}"; };
            stdenv = pkgs.stdenv // {
              buildPlatform = lib.systems.elaborate system;
              hostPlatform = lib.systems.elaborate system;
            };
          };
          services.headroom.enable = true;
        }
      ];
    }).config;
  vmTest = outputs.checks.${system}.vm.test;
in
{
  inputsUrl = flake.inputs.nixpkgs.url;
  outputNames = builtins.attrNames outputs;
  packageNames = builtins.attrNames outputs.packages.${system};
  defaultPackage = outputs.packages.${system}.default.name;
  checkNames = builtins.attrNames outputs.checks.${system};
  # meta.license is unfree: the flake's package set allows headroom, and only headroom.
  unfreeAllowed =
    let
      allowed = outputs.packages.${system}.default.nixpkgsConfig.allowUnfreePredicate;
    in
    [
      (allowed outputs.packages.${system}.default)
      (allowed { pname = "some-other-package"; })
    ];
  moduleDefaultPackage = moduleConfig.services.headroom.package.name;
  vmTestName = vmTest.name;
  vmTestEnablesHeadroom = (vmTest.nodes.machine { pkgs = { }; }).services.headroom.enable;
}
