# ../module.nix evaluated by the REAL nixpkgs module system: `lib.evalModules` from a
# nixpkgs checkout (or its lib/ alone, e.g. github:nix-community/nixpkgs.lib), so option
# types, definition merging (lists, mkAfter, mkForce), freeform submodules and type errors
# are nixpkgs' own. Run by nix/check when NIXPKGS_LIB (or NIXPKGS) is set:
#   nix-instantiate --eval --strict --json nix/tests/module-eval.nix --arg lib 'import /path/lib'
#
# What is NOT real here: the NixOS options the module sets (systemd.*, environment.*,
# warnings) are declared by ./nixos-options.nix, which copies their types from nixpkgs'
# nixos/lib/systemd-unit-options.nix and nixos/modules (what each is is said there), and
# `pkgs` is a stand-in (formats.json's type as in nixpkgs' pkgs-lib/formats.nix;
# derivations are attrsets with an outPath). Whether NixOS then writes the units as
# expected is for the VM test (nix/tests/vm.nix).
{ lib }:
let
  fakeDrv = name: extra: {
    type = "derivation";
    inherit name;
    outPath = "/nix/store/00000000000000000000000000000000-${name}";
  } // extra;

  pkgsFor =
    { build, host }:
    {
      formats.json =
        { }:
        {
          type =
            let
              valueType =
                with lib.types;
                nullOr (oneOf [
                  bool
                  int
                  float
                  str
                  path
                  (attrsOf valueType)
                  (listOf valueType)
                ])
                // {
                  description = "JSON value";
                };
            in
            valueType;
          generate = name: value: fakeDrv name { json = builtins.toJSON value; };
        };
      runCommand = name: env: script: fakeDrv name (env // { inherit script; });
      callPackage = _: _: fakeDrv "headroom-default" { };
      stdenv = {
        buildPlatform = lib.systems.elaborate build;
        hostPlatform = lib.systems.elaborate host;
      };
    };

  package = fakeDrv "headroom" { };

  evaluate =
    {
      modules,
      build ? "x86_64-linux",
      host ? "x86_64-linux",
    }:
    (lib.evalModules {
      modules = [
        ../module.nix
        ./nixos-options.nix
        {
          _module.args.pkgs = pkgsFor { inherit build host; };
          services.headroom = {
            enable = true;
            inherit package;
          };
        }
      ] ++ modules;
    }).config;

  # Whether evaluating `value` deeply fails (a type error, a failed assertion in a type).
  fails = value: !(builtins.tryEval (builtins.deepSeq value value)).success;

  # The JSON the module renders: the checked file's input, or the file itself (unchecked).
  rendered =
    config:
    let
      source = config.environment.etc."headroom/config.json".source;
    in
    builtins.fromJSON (source.unchecked or source).json;

  plain = evaluate { modules = [ ]; };
  protectedOf = config: config.services.headroom.settings.supervisor.protected;
  defaults = (import ../lib.nix).defaults.supervisor.protected;

  withTickets = evaluate {
    modules = [
      {
        services.headroom.settings.tickets.url = "https://tickets.example.net/hook";
        services.headroom.tickets.headersFile = "/run/keys/headroom-headers";
      }
      # Another module adding its own credential to the same unit: lists merge.
      { systemd.services.headroom-ship.serviceConfig.LoadCredential = [ "other:/run/keys/other" ]; }
    ];
  };
  ship = withTickets.systemd.services.headroom-ship;
  service = plain.systemd.services.headroom;
in
{
  libVersion = lib.version;

  # -- supervisor.protected: definitions merge with the defaults
  protectedDefault = protectedOf plain == defaults;
  protectedPlusOne = protectedOf (evaluate { modules = [ { services.headroom.settings.supervisor.protected = [ "postgresql" ]; } ]; })
    == defaults ++ [ "postgresql" ];
  protectedMkAfter = protectedOf (evaluate {
    modules = [ { services.headroom.settings.supervisor.protected = lib.mkAfter [ "x" ]; } ];
  }) == defaults ++ [ "x" ];
  protectedTwoModules = lib.sort lib.lessThan (protectedOf (evaluate {
    modules = [
      { services.headroom.settings.supervisor.protected = [ "a" ]; }
      { services.headroom.settings.supervisor.protected = [ "b" ]; }
    ];
  })) == lib.sort lib.lessThan (defaults ++ [ "a" "b" ]);
  protectedMkForce = protectedOf (evaluate {
    modules = [ { services.headroom.settings.supervisor.protected = lib.mkForce [ "only" ]; } ];
  }) == [ "only" ];
  protectedRendered = (rendered plain).supervisor.protected == defaults;
  # The binary's extra_protected passes through the free-form part, and merges too.
  extraProtectedMerged = (rendered (evaluate {
    modules = [
      { services.headroom.settings.supervisor.extra_protected = [ "a.service" ]; }
      { services.headroom.settings.supervisor.extra_protected = [ "b.service" ]; }
    ];
  })).supervisor.extra_protected;
  # Free-form lists (a budget category's units) from two modules merge as well.
  budgetUnitsMerged = map (u: u.match) (rendered (evaluate {
    modules = [
      { services.headroom.settings.budget.categories.monitoring.units = [ { match = "telegraf"; expected = "384MiB"; } ]; }
      { services.headroom.settings.budget.categories.monitoring.units = [ { match = "filebeat*"; expected = "100MiB"; } ]; }
    ];
  })).budget.categories.monitoring.units;

  # -- types (and, so that `fails` is known to fail only on the bad value, the good ones)
  validSettingsAccepted = !fails plain.services.headroom.settings;
  validHeadersFileAccepted = !fails withTickets.services.headroom.tickets.headersFile;
  outOfRangeRefused = fails (evaluate {
    modules = [ { services.headroom.settings.supervisor.critical.available_percent = 150; } ];
  }).services.headroom.settings;
  wrongTypeRefused = fails (evaluate {
    modules = [ { services.headroom.settings.supervisor.prefer = "batch-*"; } ];
  }).services.headroom.settings;
  renderedDefaultsJSON = (rendered plain);

  # -- the unit
  serviceOverrideStrategy = service.overrideStrategy;
  serviceStopIfChanged = service.stopIfChanged;
  serviceWantedBy = service.wantedBy;
  serviceExecStart = service.serviceConfig.ExecStart;
  serviceReloadTriggers = map (t: t.name) service.reloadTriggers;
  packages = map (p: p.name) plain.systemd.packages;

  # -- tickets
  shipOffWithoutUrl = !(plain.systemd.services ? headroom-ship) && !(plain.systemd.paths ? headroom-ship)
    && !(plain.systemd.timers ? headroom-ship);
  shipOverrideStrategy = [
    ship.overrideStrategy
    withTickets.systemd.paths.headroom-ship.overrideStrategy
    withTickets.systemd.timers.headroom-ship.overrideStrategy
  ];
  shipWantedBy = [ withTickets.systemd.paths.headroom-ship.wantedBy withTickets.systemd.timers.headroom-ship.wantedBy ];
  shipLoadCredential = lib.sort lib.lessThan ship.serviceConfig.LoadCredential;
  ticketsRendered = (rendered withTickets).tickets;
  secretPathNotInConfig = !(lib.hasInfix "/run/keys" (builtins.toJSON (rendered withTickets)));
  headersFileNixPathRefused = fails (evaluate {
    modules = [ { services.headroom.tickets.headersFile = ./module-eval.nix; } ];
  }).services.headroom.tickets.headersFile;
  headersFileRelativeRefused = fails (evaluate {
    modules = [ { services.headroom.tickets.headersFile = "keys/headers"; } ];
  }).services.headroom.tickets.headersFile;

  # -- catalog
  tmpfilesRules = plain.systemd.tmpfiles.rules;
  catalogService = {
    inherit (plain.systemd.services.headroom-catalog) wantedBy after;
    inherit (plain.systemd.services.headroom-catalog.serviceConfig) Type ExecStart;
    restartTriggers = map (t: t.name) plain.systemd.services.headroom-catalog.restartTriggers;
  };

  # -- warnings about other OOM killers
  warningsAlone = plain.warnings;
  warningsEarlyoom = (evaluate { modules = [ { services.earlyoom.enable = true; } ]; }).warnings;
  warningsOomdSlice = (evaluate { modules = [ { systemd.oomd.enableRootSlice = true; } ]; }).warnings;
  warningsManagedOOM = (evaluate {
    modules = [ { systemd.services.batch.serviceConfig.ManagedOOMMemoryPressure = "kill"; } ];
  }).warnings;
  warningsOomdOff = (evaluate {
    modules = [
      {
        systemd.oomd.enable = false;
        systemd.oomd.enableRootSlice = true;
      }
    ];
  }).warnings;

  # -- checkConfig follows whether the build platform runs the host's binary
  checkConfigNative = plain.services.headroom.checkConfig;
  checkConfigCross = (evaluate {
    modules = [ ];
    host = "aarch64-linux";
  }).services.headroom.checkConfig;
  configFileNative = plain.environment.etc."headroom/config.json".source.name;
  configFileCross = (evaluate {
    modules = [ ];
    host = "aarch64-linux";
  }).environment.etc."headroom/config.json".source.name;
  checkScript = plain.environment.etc."headroom/config.json".source.script;
  checkInput = plain.environment.etc."headroom/config.json".source.unchecked.name;
}
