# Evaluated by nix/check with `nix-instantiate --eval --strict --json` (builtins only, no
# nixpkgs). Its results are compared there with the real headroom binary.
let
  hlib = import ../lib.nix;

  # What NixOS's module system makes of `settings` here: the typed defaults, with a user's
  # attrsets merged in and a user's list replacing the default list. (The real merge is
  # lib.types.submodule's; this stands in for it in the cases used below.)
  merge =
    base: over:
    base
    // builtins.mapAttrs (
      name: value:
      if builtins.isAttrs value && builtins.isAttrs (base.${name} or null) then merge base.${name} value else value
    ) over;

  userSettings = {
    supervisor = {
      critical.available_percent = 8;
      prefer = [ "batch-*" ];
      tick_seconds = 0.5;
    };
    swap.pressure_swappiness = 100;
    budget.categories.monitoring.units = [
      {
        match = "telegraf";
        expected = "384MiB";
      }
    ];
    metrics.influx_socket = "/run/telegraf/influx.sock";
  };

  package = "/nix/store/00000000000000000000000000000000-headroom-0.1.0";

  pin = (builtins.fromJSON (builtins.readFile ../swiftpm2nix/workspace-state.json)).object.dependencies;
  resolved = (builtins.fromJSON (builtins.readFile ../../Package.resolved)).pins;
in
{
  defaultConfig = hlib.renderConfig hlib.defaults;
  userConfig = hlib.renderConfig (merge hlib.defaults userSettings);
  badConfig = hlib.renderConfig (merge hlib.defaults { supervisor.critical.available_percent = 150; });
  defaultLeaves = hlib.leaves hlib.defaults;

  execStart = hlib.execStart { inherit package; };
  execStartDryRun = hlib.execStart {
    inherit package;
    dryRun = true;
  };
  override = hlib.serviceOverride {
    inherit package;
    configSource = "/nix/store/00000000000000000000000000000000-headroom-config.json";
  };
  overrideDryRun = hlib.serviceOverride {
    inherit package;
    dryRun = true;
  };

  # The swiftpm2nix pin against Package.resolved: [ { location, revision, version } ].
  swiftpm2nixPins = map (dep: {
    location = dep.packageRef.location;
    inherit (dep.state.checkoutState) revision version;
  }) pin;
  resolvedPins = map (p: {
    inherit (p) location;
    inherit (p.state) revision version;
  }) resolved;
  swiftpm2nixHashNames = builtins.attrNames (import ../swiftpm2nix).hashes;
  swiftpm2nixSubpaths = map (dep: dep.subpath) pin;
}
