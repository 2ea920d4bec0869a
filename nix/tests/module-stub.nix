# STUB, NOT NIXOS: evaluates ../module.nix against a hand-written stand-in for the few
# nixpkgs `lib` and `pkgs` functions it uses (mkOption, mkEnableOption, mkIf,
# literalExpression, types.*, formats.json, runCommand, callPackage). Run by nix/check.
#
# What this proves: module.nix is a well-formed module function that evaluates with those
# names; every typed `settings` option has exactly the default in ../lib.nix (and lib.nix
# has no default without an option); with enable = true its `config` sets
# systemd.packages, the ExecStart reset with --config/--dry-run, wantedBy and
# /etc/headroom/config.json from the checked config; the check command is
# `headroom config check` on the rendered settings; and (checkConfig = false) the JSON the
# module renders from default settings, which nix/check hands to the real binary.
# What it does not prove: anything about the real lib (type checking, merging of
# definitions, freeform submodules): ./module-eval.nix does that with nixpkgs' lib when
# nix/check is given one (NIXPKGS_LIB). Nor that the NixOS options it sets behave as
# described, or that the package builds: the VM test (./vm.nix) and `nix build` on a host
# with nixpkgs.
{ dryRun ? false, checkConfig ? true }:
let
  stubLib = rec {
    mkOption = attrs: attrs // { _type = "option"; };
    mkEnableOption = name: mkOption {
      type = types.bool;
      default = false;
      description = "Whether to enable ${name}.";
    };
    mkIf = condition: content: {
      _type = "if";
      inherit condition content;
    };
    literalExpression = text: {
      _type = "literalExpression";
      inherit text;
    };
    types = {
      bool = { name = "bool"; };
      str = { name = "str"; };
      number = { name = "number"; };
      package = { name = "package"; };
      listOf = t: { name = "listOf"; elemType = t; };
      nullOr = t: { name = "nullOr"; elemType = t; };
      strMatching = pattern: { name = "strMatching"; inherit pattern; };
      either = a: b: { name = "either"; left = a; right = b; };
      ints = {
        unsigned = { name = "unsignedInt"; };
        between = low: high: { name = "intBetween"; inherit low high; };
      };
      numbers.between = low: high: { name = "numberBetween"; inherit low high; };
      submodule = m: m // { name = "submodule"; };
    };
  };

  stubPkgs = {
    formats.json = _: {
      type = { name = "json"; };
      generate = name: value: {
        outPath = "/nix/store/stub-${name}";
        json = builtins.toJSON value;
      };
    };
    runCommand = name: env: script: env // {
      outPath = "/nix/store/stub-${name}";
      inherit script;
    };
    callPackage = _: _: { outPath = "/nix/store/stub-default-headroom"; };
    stdenv = {
      buildPlatform.canExecute = _: true;
      hostPlatform = { };
    };
  };

  hlib = import ../lib.nix;
  package = { outPath = "/nix/store/stub-headroom"; };
  cfg = {
    enable = true;
    inherit package dryRun checkConfig;
    settings = hlib.defaults;
    tickets.headersFile = null;
  };

  module = import ../module.nix {
    lib = stubLib;
    pkgs = stubPkgs;
    config.services.headroom = cfg;
  };

  opts = module.options.services.headroom;

  # Every typed option under `settings` as { path; value = default; }: the option's default,
  # or, for a list that merges (supervisor.protected), its section's definition.
  optionDefaults =
    let
      go =
        prefix: options: definitions:
        builtins.concatLists (
          map (
            name:
            let
              o = options.${name};
            in
            if o.type.name == "submodule" then go (prefix ++ [ name ]) o.type.options (o.type.config or { })
            else [ { path = prefix ++ [ name ]; value = o.default or definitions.${name}; } ]
          ) (builtins.attrNames options)
        );
    in
    go [ ] opts.settings.type.options { };

  content = module.config.content;
  service = content.systemd.services.headroom;
  configSource = content.environment.etc."headroom/config.json".source;
in
{
  optionNames = builtins.attrNames opts;
  enableDefault = opts.enable.default;
  dryRunDefault = opts.dryRun.default;
  typedDefaultsMatchLib = optionDefaults == hlib.leaves hlib.defaults;
  typedOptionCount = builtins.length optionDefaults;
  condition = module.config.condition;
  packages = map toString content.systemd.packages;
  systemPackages = map toString content.environment.systemPackages;
  wantedBy = service.wantedBy;
  execStart = service.serviceConfig.ExecStart;
  reloadTriggers = map toString service.reloadTriggers;
  configSource = toString configSource;
  checkScript = configSource.script or "";
  checkInput = toString (configSource.unchecked or "");
  # With checkConfig = false the file is formats.json's output itself: its JSON (the stub
  # generates it with builtins.toJSON, as the real one does before jq lays it out).
  renderedJSON = configSource.json or null;
  serviceKeys = builtins.attrNames service;
  overrideStrategy = service.overrideStrategy;
  stopIfChanged = service.stopIfChanged;
  protectedHasNoDefault = !(opts.settings.type.options.supervisor.type.options.protected ? default);
  checkConfigDefault = opts.checkConfig.default;
  tmpfilesRules = content.systemd.tmpfiles.rules;
  warnings = content.warnings;
  # Ticket delivery units are wanted only when settings.tickets.url is set (not in these settings).
  shipUnitsWhen = [
    content.systemd.services.headroom-ship.condition
    content.systemd.paths.headroom-ship.condition
    content.systemd.timers.headroom-ship.condition
  ];
  shipUnitsWantedBy = [ content.systemd.paths.headroom-ship.content.wantedBy content.systemd.timers.headroom-ship.content.wantedBy ];
}
