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

  pinsOf =
    file:
    map (p: {
      inherit (p) identity location;
      inherit (p.state) revision version;
    }) (builtins.fromJSON (builtins.readFile file)).pins;
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

  # The pins fetchSwiftPMDeps vendors (nix/Package.resolved) and SwiftPM's own resolution.
  nixPins = pinsOf ../Package.resolved;
  resolvedPins = if builtins.pathExists ../../Package.resolved then pinsOf ../../Package.resolved else null;

  ship = hlib.shipOverride { headersFile = "/run/keys/headers"; };
  shipPlain = hlib.shipOverride { };
  withHeaders = hlib.withHeadersFile "/run/keys/headers" { tickets.url = "https://x.example/"; };
  withoutHeaders = hlib.withHeadersFile null { tickets.url = "https://x.example/"; };
  warningsNone = hlib.otherKillerWarnings { };
  warningsAll = hlib.otherKillerWarnings {
    earlyoom = true;
    oomdSlices = [ "enableRootSlice" ];
    managedOOMUnits = [ "batch.service" ];
  };
}
