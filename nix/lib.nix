# The pure part of the NixOS module (./module.nix): only `builtins`, no nixpkgs, so that
# nix/check can evaluate it with a bare `nix-instantiate` and compare the results with
# the real `headroom` binary.
rec {
  # Where the module puts the rendered config. It is also the daemon's default path; the
  # module passes it explicitly anyway, so the unit says which file it reads.
  configPath = "/etc/headroom/config.json";

  # Defaults of the config keys the module declares as typed options. They must equal
  # the binary's own defaults (`headroom config show`); nix/check compares every leaf.
  # Keys not listed here (budget, tickets, metrics, supervisor.elevated.forecast_*, ...)
  # are still accepted through the free-form `settings` and validated at build time.
  defaults = {
    supervisor = {
      tick_seconds = 1;
      fast_tick_seconds = 0.25;
      calm_after_seconds = 10;
      restart_deadline_seconds = 10;
      cooldown_seconds = 15;
      max_restarts_per_hour = 3;
      minimum_culprit = "32MiB";
      elevated = {
        available_percent = 20;
        psi_some_avg10 = 10;
        swap_used_percent = 50;
      };
      critical = {
        available_percent = 5;
        psi_full_avg10 = 20;
        forecast_seconds = 12;
        swap_used_percent = 80;
        dwell_seconds = 0.5;
      };
      protected = [
        "headroom"
        "systemd-journald"
        "dbus"
        "dbus-broker"
        "sshd"
        "ssh"
        "systemd-logind"
        "init.scope"
        "user@*"
        "session-*.scope"
        "user-runtime-dir@*"
      ];
      prefer = [ ];
      avoid = [ ];
    };
    swap = {
      calm_swappiness = 1;
      pressure_swappiness = 60;
    };
    incidents = {
      keep_count = 500;
      keep_days = 90;
    };
  };

  # The config file's content. `settings` is the module's merged option value: the typed
  # defaults above plus whatever the user set, free-form keys included. Null values are
  # kept: in Headroom's config they mean something (`reserve: null`, `url: null`).
  renderConfig = settings: builtins.toJSON settings;

  # The daemon's command line. `package` is anything that interpolates to a store path.
  execStart =
    {
      package,
      configFile ? configPath,
      dryRun ? false,
    }:
    "${package}/bin/headroom daemon --config ${configFile}" + (if dryRun then " --dry-run" else "");

  # What the module sets in `systemd.services.headroom`. The unit itself comes from the
  # package (systemd/headroom.service via `systemd.packages`); this is only what NixOS
  # must add: [Install] is ignored for packaged units, so `wantedBy`; ExecStart reset with
  # an empty entry first (systemd would otherwise see two ExecStart= in a Type=notify
  # unit and refuse it), then the line with --config and --dry-run; and a config change
  # reloads the daemon (SIGHUP: new config, state kept) instead of restarting it.
  # overrideStrategy "asDropin": always a drop-in (overrides.conf), never a unit of its
  # own, so a package without headroom.service fails loudly ("unit not found") instead of
  # NixOS writing a unit with only these lines. stopIfChanged = false: a package change
  # restarts the daemon in one step after activation instead of stopping it before
  # activation, so a `nixos-rebuild switch` (a memory-heavy moment) is never unsupervised.
  serviceOverride =
    {
      package,
      dryRun ? false,
      configFile ? configPath,
      configSource ? null,
    }:
    {
      overrideStrategy = "asDropin";
      stopIfChanged = false;
      wantedBy = [ "multi-user.target" ];
      reloadTriggers = if configSource == null then [ ] else [ configSource ];
      serviceConfig.ExecStart = [
        ""
        (execStart { inherit package dryRun configFile; })
      ];
    };

  # The credential name of the ticket webhook headers file: systemd copies the file given
  # to the module (services.headroom.tickets.headersFile) into $CREDENTIALS_DIRECTORY under
  # this name, and the config says `tickets.headers_file = "<this name>"` (a relative name
  # the binary resolves in $CREDENTIALS_DIRECTORY). The secret never enters the Nix store.
  headersCredential = "tickets-headers";

  # What the module sets in `systemd.services.headroom-ship` when tickets are on.
  shipOverride =
    {
      headersFile ? null,
    }:
    {
      overrideStrategy = "asDropin";
    }
    // (
      if headersFile == null then
        { }
      else
        {
          serviceConfig.LoadCredential = [ "${headersCredential}:${headersFile}" ];
        }
    );

  # The settings with what the module adds: `tickets.headers_file` when a headers file is
  # given (the file itself is passed with LoadCredential=, see shipOverride).
  withHeadersFile =
    headersFile: settings:
    if headersFile == null then
      settings
    else
      settings
      // {
        tickets = (settings.tickets or { }) // {
          headers_file = headersCredential;
        };
      };

  # Where the module links the journal catalog: the one catalog directory outside its own
  # package that NixOS's journalctl reads (see the module).
  catalogLink = "/usr/local/lib/systemd/catalog/headroom.catalog";

  # Warnings when another OOM killer acts on the same machine: two supervisors racing
  # for the same culprit double-kill or fight over swappiness. Arguments: earlyoom (bool),
  # oomdSlices (names of systemd.oomd's enable*Slice options that are on), managedOOMUnits
  # (units with ManagedOOMMemoryPressure= or ManagedOOMSwap= "kill", oomd on).
  otherKillerWarnings =
    {
      earlyoom ? false,
      oomdSlices ? [ ],
      managedOOMUnits ? [ ],
    }:
    let
      list = builtins.concatStringsSep ", ";
    in
    (
      if earlyoom then
        [
          "services.headroom and services.earlyoom are both enabled: earlyoom kills by its own thresholds, racing Headroom for the same culprit. Disable one (services.earlyoom.enable = false)."
        ]
      else
        [ ]
    )
    ++ (
      if oomdSlices != [ ] || managedOOMUnits != [ ] then
        [
          ("services.headroom is enabled while systemd-oomd kills by memory pressure or swap ("
            + list (map (o: "systemd.oomd.${o}") oomdSlices ++ managedOOMUnits)
            + "): both act on the same pressure. Turn those off, or set services.headroom.enable = false.")
        ]
      else
        [ ]
    );

  # Every leaf of a nested attrset as { path = [ "a" "b" ]; value = ...; } (lists are
  # leaves). nix/check uses it to compare `defaults` with `headroom config show`.
  leaves =
    let
      go =
        prefix: value:
        if builtins.isAttrs value then
          builtins.concatLists (map (name: go (prefix ++ [ name ]) value.${name}) (builtins.attrNames value))
        else
          [
            {
              path = prefix;
              inherit value;
            }
          ];
    in
    go [ ];
}
