{
  description = "Headroom: memory-pressure and OOM supervisor for Linux VMs";

  # A nixpkgs with Swift 6.2 (the Swift packaging rewrite, nixpkgs PR 557896 "swift:
  # 5.10.1 -> 6.2.4", which also brought fetchSwiftPMDeps). Pinned by revision so that a host
  # on an older stable channel (Swift 5.10.1) still builds the package with this nixpkgs;
  # its NixOS stays on its own channel. How this revision was chosen: nix/README.md.
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/0a2c8a5824f4d11518168b74002249c6ecec21d5";

  outputs =
    { self, nixpkgs }:
    let
      inherit (nixpkgs) lib;
      # The only system this was written for (and its VM test); others are untested.
      systems = [ "x86_64-linux" ];
      forSystems = f: lib.genAttrs systems (system: f (pkgsFor system));
      pkgsFor =
        system:
        import nixpkgs {
          inherit system;
          # meta.license is unfree (no licence in the repository yet): allow this package only.
          config.allowUnfreePredicate = pkg: lib.getName pkg == "headroom";
        };
    in
    {
      packages = forSystems (pkgs: rec {
        headroom = pkgs.callPackage ./nix/package.nix { };
        default = headroom;
      });

      # The module with this flake's package as its default, so the host's own nixpkgs
      # (whatever its Swift) never has to build Headroom.
      nixosModules.default =
        { lib, pkgs, ... }:
        {
          imports = [ ./nix/module.nix ];
          services.headroom.package = lib.mkDefault self.packages.${pkgs.stdenv.hostPlatform.system}.default;
        };

      checks = forSystems (pkgs: {
        package = self.packages.${pkgs.stdenv.hostPlatform.system}.default;
        vm = pkgs.testers.runNixOSTest (import ./nix/tests/vm.nix { inherit self; });
      });
    };
}
