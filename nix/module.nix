# NixOS module: services.headroom. Import it from configuration.nix (see nix/README.md).
#
# The unit is the repository's one systemd/headroom.service, shipped by the package and
# used through `systemd.packages`; this module only adds what NixOS must (see
# serviceOverride in ./lib.nix, which holds the pure parts of this module so that nix/check
# can evaluate them without nixpkgs).
{
  config,
  lib,
  pkgs,
  ...
}:
let
  inherit (lib)
    literalExpression
    mkEnableOption
    mkIf
    mkOption
    types
    ;

  hlib = import ./lib.nix;
  d = hlib.defaults;
  cfg = config.services.headroom;
  ticketsOn = ((cfg.settings.tickets or { }).url or null) != null;
  settingsFormat = pkgs.formats.json { };

  # A section of the config: typed options for its main keys, any other key free-form
  # (the binary refuses unknown keys; checkConfig catches that at build time). `config`
  # holds definitions that merge with the user's (the protected list).
  sectionWith =
    config: description: options:
    mkOption {
      type = types.submodule {
        freeformType = settingsFormat.type;
        inherit options config;
      };
      default = { };
      inherit description;
    };
  section = sectionWith { };
  seconds =
    default: description:
    mkOption {
      type = types.number;
      inherit default description;
    };
  percent =
    default: description:
    mkOption {
      type = types.numbers.between 0 100;
      inherit default description;
    };
  whole =
    low: high: default: description:
    mkOption {
      type = types.ints.between low high;
      inherit default description;
    };
  patterns =
    default: description:
    mkOption {
      type = types.listOf types.str;
      inherit default description;
    };

  renderedSettings = hlib.withHeadersFile cfg.tickets.headersFile cfg.settings;
  uncheckedConfig = settingsFormat.generate "headroom-config-unchecked.json" renderedSettings;

  # Refuse a config the daemon would refuse, when the system is built rather than when the
  # daemon (re)loads it: `headroom config check` names the key and what it expects.
  configFile =
    if cfg.checkConfig then
      pkgs.runCommand "headroom-config.json" { unchecked = uncheckedConfig; } ''
        ${cfg.package}/bin/headroom config check "$unchecked"
        cp "$unchecked" "$out"
      ''
    else
      uncheckedConfig;
  # What else on this host kills by memory pressure (see otherKillerWarnings in ./lib.nix).
  # Read with `or`, so the module also evaluates where those NixOS options do not exist.
  oomd = config.systemd.oomd or { };
  oomdOn = oomd.enable or false;
  managedOOMKill =
    kind: units:
    map (name: "${name}.${kind}") (
      builtins.filter (
        name:
        let
          c = units.${name}.${kind + "Config"} or { };
        in
        (c.ManagedOOMMemoryPressure or "auto") == "kill" || (c.ManagedOOMSwap or "auto") == "kill"
      ) (builtins.attrNames units)
    );
  otherKillers = {
    earlyoom = config.services.earlyoom.enable or false;
    oomdSlices =
      if oomdOn then
        builtins.filter (name: oomd.${name} or false) [
          "enableRootSlice"
          "enableSystemSlice"
          "enableUserSlices"
        ]
      else
        [ ];
    managedOOMUnits =
      if oomdOn then
        managedOOMKill "service" (config.systemd.services or { })
        ++ managedOOMKill "slice" (config.systemd.slices or { })
      else
        [ ];
  };
in
{
  options.services.headroom = {
    enable = mkEnableOption "Headroom, the memory-pressure and OOM supervisor";

    package = mkOption {
      type = types.package;
      default = pkgs.callPackage ./package.nix { };
      defaultText = literalExpression "pkgs.callPackage ./nix/package.nix { }";
      description = "The headroom package: the binary, systemd/headroom.service and the journal catalog.";
    };

    dryRun = mkOption {
      type = types.bool;
      default = false;
      description = ''
        Run the daemon with --dry-run: decide and record everything (incidents, journal
        entries) but change nothing: no restarts or kills, vm.swappiness untouched.
      '';
    };

    checkConfig = mkOption {
      type = types.bool;
      default = pkgs.stdenv.buildPlatform.canExecute pkgs.stdenv.hostPlatform;
      defaultText = literalExpression "pkgs.stdenv.buildPlatform.canExecute pkgs.stdenv.hostPlatform";
      description = ''
        Validate the generated config with `headroom config check` when the system is
        built. The check runs the host's binary on the build machine, so it defaults to
        off when the build platform cannot execute it (cross-compiling).
      '';
    };

    tickets.headersFile = mkOption {
      # A string, not a path: a Nix path would be copied into the world-readable store.
      type = types.nullOr (types.strMatching "/.*");
      default = null;
      example = "/run/keys/headroom-tickets-headers";
      description = ''
        Absolute path, on the host, of the file with the ticket webhook's request headers
        (e.g. an Authorization token; format in docs/TICKETS.md). It is handed to
        headroom-ship with systemd's LoadCredential=, and the config names it as
        `tickets.headers_file = "${hlib.headersCredential}"`, which the binary resolves in
        $CREDENTIALS_DIRECTORY. The file stays out of the Nix store; only root needs to
        read it.
      '';
    };

    settings = mkOption {
      description = ''
        Headroom's config (/etc/headroom/config.json), as in the README's config
        reference. Every key is optional; the typed options below carry the binary's
        defaults, anything else (budget, tickets, metrics, ...) is passed through as is.
        Lists merge: `supervisor.protected = [ "postgresql" ]` adds to the default
        protected units (use lib.mkForce to replace them). The file is in the
        world-readable Nix store: put no secrets here; a tickets Authorization header goes
        in `services.headroom.tickets.headersFile`.
      '';
      default = { };
      example = literalExpression ''
        {
          supervisor.critical.available_percent = 8;
          supervisor.prefer = [ "batch-*" ];
          budget.categories.monitoring.units = [
            { match = "telegraf"; expected = "384MiB"; }
          ];
        }
      '';
      type = types.submodule {
        freeformType = settingsFormat.type;
        options = {
          supervisor = sectionWith {
            # A definition, not an option default, so that a user's list merges with it
            # instead of replacing it (adding one unit must not unprotect sshd or dbus).
            protected = d.supervisor.protected;
          } "Thresholds and limits of the supervisor." {
            tick_seconds = seconds d.supervisor.tick_seconds "Sampling interval while calm.";
            fast_tick_seconds = seconds d.supervisor.fast_tick_seconds "Sampling interval under pressure (at most tick_seconds).";
            calm_after_seconds = seconds d.supervisor.calm_after_seconds "Time without pressure before returning to calm.";
            restart_deadline_seconds = seconds d.supervisor.restart_deadline_seconds "A restart job still running after this, while critical, escalates to SIGKILL.";
            cooldown_seconds = seconds d.supervisor.cooldown_seconds "Pause after an action.";
            max_restarts_per_hour =
              whole 1 100 d.supervisor.max_restarts_per_hour
                "Beyond this a unit is a restart loop and left alone.";
            minimum_culprit = mkOption {
              type = types.either types.ints.unsigned types.str;
              default = d.supervisor.minimum_culprit;
              description = "Smaller units are never culprits: bytes or a size such as \"32MiB\".";
            };
            elevated = section "When to watch closely and let swap work." {
              available_percent = percent d.supervisor.elevated.available_percent "MemAvailable at or below this share of MemTotal.";
              psi_some_avg10 = percent d.supervisor.elevated.psi_some_avg10 "PSI memory some avg10 at or above this.";
              swap_used_percent = percent d.supervisor.elevated.swap_used_percent "Swap at least this full.";
            };
            critical = section "When to act." {
              available_percent = percent d.supervisor.critical.available_percent "MemAvailable at or below this share of MemTotal.";
              psi_full_avg10 = percent d.supervisor.critical.psi_full_avg10 "PSI memory full avg10 at or above this.";
              forecast_seconds = seconds d.supervisor.critical.forecast_seconds "Forecast of MemAvailable reaching zero at or below this.";
              swap_used_percent = percent d.supervisor.critical.swap_used_percent "Swap at least this full.";
              dwell_seconds = seconds d.supervisor.critical.dwell_seconds "A critical condition must hold this long before Headroom acts.";
            };
            protected = mkOption {
              type = types.listOf types.str;
              description = ''
                Units never restarted (patterns: * and ?). Definitions merge with the
                defaults (${builtins.concatStringsSep ", " d.supervisor.protected});
                lib.mkForce replaces them.
              '';
            };
            prefer = patterns d.supervisor.prefer "Units whose culprit score counts double.";
            avoid = patterns d.supervisor.avoid "Units whose culprit score counts a quarter.";
          };
          swap = section "vm.swappiness while calm and under pressure." {
            calm_swappiness = whole 0 200 d.swap.calm_swappiness "vm.swappiness while calm.";
            pressure_swappiness = whole 0 200 d.swap.pressure_swappiness "vm.swappiness under pressure.";
          };
          incidents = section "Retention of incident files." {
            keep_count = whole 1 100000 d.incidents.keep_count "Incident files kept.";
            keep_days = whole 1 3650 d.incidents.keep_days "Days an incident file is kept.";
          };
        };
      };
    };
  };

  config = mkIf cfg.enable {
    # The CLI for operators: headroom status, budget, incidents list/show.
    environment.systemPackages = [ cfg.package ];
    systemd.packages = [ cfg.package ];
    environment.etc."headroom/config.json".source = configFile;
    systemd.services.headroom = hlib.serviceOverride {
      inherit (cfg) package dryRun;
      configFile = hlib.configPath;
      configSource = configFile;
    };
    # Ticket delivery (docs/TICKETS.md): headroom-ship is started by its path unit when an
    # incident file appears, and by its timer for retries; both only when a webhook is set.
    systemd.services.headroom-ship = mkIf ticketsOn (hlib.shipOverride { inherit (cfg.tickets) headersFile; });
    systemd.paths.headroom-ship = mkIf ticketsOn {
      overrideStrategy = "asDropin";
      wantedBy = [ "paths.target" ];
    };
    systemd.timers.headroom-ship = mkIf ticketsOn {
      overrideStrategy = "asDropin";
      wantedBy = [ "timers.target" ];
    };

    # The journal catalog (`journalctl -x` text for Headroom's entries). NixOS's systemd
    # reads catalogs only from its own package ($out/lib/systemd/catalog: nixpkgs patches
    # catalog.c's /usr/lib/systemd/catalog/) and from /usr/local/lib/systemd/catalog/,
    # which the patch leaves alone; `systemd.packages` does not bring catalogs along. So:
    # link the package's catalog there, and rebuild the catalog database when it changes.
    systemd.tmpfiles.rules = [
      "d /usr/local/lib/systemd/catalog 0755 root root -"
      "L+ ${hlib.catalogLink} - - - - ${cfg.package}/lib/systemd/catalog/headroom.catalog"
    ];
    systemd.services.headroom-catalog = {
      description = "Headroom: add its journal catalog to the catalog database";
      wantedBy = [ "multi-user.target" ];
      after = [ "systemd-tmpfiles-setup.service" ];
      restartTriggers = [ cfg.package ];
      serviceConfig = {
        Type = "oneshot";
        RemainAfterExit = true;
        ExecStart = "${config.systemd.package}/bin/journalctl --update-catalog";
      };
    };

    warnings = hlib.otherKillerWarnings otherKillers;
  };
}
