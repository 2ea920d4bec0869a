# The NixOS options ../module.nix sets or reads, declared for ./module-eval.nix (real
# nixpkgs lib, no NixOS). Each declaration copies the type, default and merge of the NixOS
# option it stands for, as read in nixpkgs:
# - nixos/lib/systemd-unit-options.nix: `unitOption` (definitions either all lists, which
#   concatenate, or all equal non-lists), sharedOptions (`overrideStrategy` an enum of
#   "asDropinIfExists"/"asDropin" defaulting to the first, `wantedBy` a list),
#   serviceOptions (`stopIfChanged` bool default true, `reloadTriggers`/`restartTriggers`
#   lists of unitOption, `serviceConfig` attrsOf unitOption), path/timer/slice *Config;
# - nixos/modules/system/boot/systemd.nix: systemd.packages (listOf package), systemd.package;
# - systemd/tmpfiles.nix: systemd.tmpfiles.rules (listOf str);
# - systemd/oomd.nix: systemd.oomd.enable (default true), enableRootSlice,
#   enableSystemSlice, enableUserSlices (default false);
# - services/system/earlyoom.nix: services.earlyoom.enable;
# - misc/assertions.nix: warnings (listOf str); etc/etc.nix: environment.etc.<name>.source.
# Unlike NixOS, the unit submodules are closed: an option the module sets that NixOS does
# not have fails here too, but so would one this file forgot (then add it, from nixpkgs).
{ lib, ... }:
let
  inherit (lib) mkOption types;

  unitOption = lib.mkOptionType {
    name = "systemd option";
    merge =
      loc: defs:
      let
        defs' = lib.filterOverrides defs;
      in
      if builtins.isList (builtins.head defs').value then
        builtins.concatMap (def: def.value) defs'
      else
        lib.mergeEqualOption loc defs';
  };

  list = elemType: mkOption {
    type = types.listOf elemType;
    default = [ ];
  };

  unit =
    configName:
    types.attrsOf (
      types.submodule {
        options = {
          enable = mkOption {
            type = types.bool;
            default = true;
          };
          overrideStrategy = mkOption {
            type = types.enum [
              "asDropinIfExists"
              "asDropin"
            ];
            default = "asDropinIfExists";
          };
          description = mkOption {
            type = types.str;
            default = "";
          };
          wantedBy = list types.str;
          requiredBy = list types.str;
          after = list types.str;
          wants = list types.str;
          restartTriggers = list unitOption;
          reloadTriggers = list unitOption;
          stopIfChanged = mkOption {
            type = types.bool;
            default = true;
          };
          restartIfChanged = mkOption {
            type = types.bool;
            default = true;
          };
          ${configName} = mkOption {
            type = types.attrsOf unitOption;
            default = { };
          };
        };
      }
    );

  enable = default: mkOption {
    type = types.bool;
    inherit default;
  };
in
{
  # systemd.services, .paths, .timers and .slices (each with its own *Config attrset).
  imports = [
    {
      options.systemd = lib.mapAttrs (
        _: configName:
        mkOption {
          type = unit configName;
          default = { };
        }
      ) {
        services = "serviceConfig";
        paths = "pathConfig";
        timers = "timerConfig";
        slices = "sliceConfig";
      };
    }
  ];

  options = {
    systemd.package = mkOption {
      type = types.package;
      default = {
        type = "derivation";
        name = "systemd";
        outPath = "/nix/store/00000000000000000000000000000000-systemd";
      };
    };
    systemd.packages = list types.package;
    systemd.tmpfiles.rules = list types.str;
    systemd.oomd = {
      enable = enable true;
      enableRootSlice = enable false;
      enableSystemSlice = enable false;
      enableUserSlices = enable false;
    };
    services.earlyoom.enable = enable false;
    environment.systemPackages = list types.package;
    environment.etc = mkOption {
      type = types.attrsOf (types.submodule { options.source = mkOption { type = types.path; }; });
      default = { };
    };
    warnings = list types.str;
  };
}
