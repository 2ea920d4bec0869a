# NixOS VM test of the module and the package: `nix flake check` (checks.x86_64-linux.vm) or
# `nix build .#checks.x86_64-linux.vm -L`. Boots NixOS (3 GiB RAM, 1 GiB swap) with
# services.headroom and checks, in order:
#   1. headroom.service is active under its watchdog (WatchdogSec=30s) and keeps its MainPID
#      past a whole watchdog period; the rendered protected list kept the defaults;
#   2. the journal catalog is in journald's catalog database (journalctl --list-catalog);
#   3. a config change (switching to the `reconfigured` specialisation) reloads the daemon:
#      same MainPID, "config reloaded" in its journal, the new value in the config file;
#   4. the ticket units are not wanted without tickets.url, and are (with the headers file as
#      a credential) after switching to the `tickets` specialisation;
#   5. a leaking service is restarted by Headroom and an incident file appears.
# Used by flake.nix as pkgs.testers.runNixOSTest (import ./nix/tests/vm.nix { inherit self; }).
{ self }:
let
  leakCatalogId = "a6acf2a699bb47eaab515bf24f51f08b";
in
{
  name = "headroom";

  nodes.machine =
    { pkgs, ... }:
    let
      # The e2e harness's memory consumer (e2e/workloads/memhog.c).
      memhog = pkgs.runCommandCC "memhog" { } ''
        mkdir -p $out/bin
        $CC -O2 -o $out/bin/memhog ${../../e2e/workloads/memhog.c}
      '';
    in
    {
      imports = [ self.nixosModules.default ];

      virtualisation.memorySize = 3072;
      virtualisation.cores = 2;
      swapDevices = [
        {
          device = "/var/swapfile";
          size = 1024;
        }
      ];

      services.headroom = {
        enable = true;
        # One more protected unit: must be added to the defaults, not replace them.
        settings.supervisor.protected = [ "postgresql" ];
      };

      # Leaks 128 MiB/s on its first run; after a restart it holds 50 MiB (a leak that a
      # restart cures, like most). Not protected, so Headroom's culprit.
      systemd.services.leaker = {
        description = "Leaking test service";
        serviceConfig.ExecStart = pkgs.writeShellScript "leaker" ''
          if [ -e /run/leaker-ran ]; then exec ${memhog}/bin/memhog --hold 50; fi
          touch /run/leaker-ran
          exec ${memhog}/bin/memhog --leak 128 --start 50
        '';
      };

      specialisation.reconfigured.configuration = {
        services.headroom.settings.supervisor.prefer = [ "leaker" ];
      };
      specialisation.tickets.configuration = {
        services.headroom.settings.tickets.url = "http://127.0.0.1:9/headroom";
        services.headroom.tickets.headersFile = "/run/keys/headroom-headers";
      };
    };

  testScript = ''
    import json

    def main_pid():
        return machine.succeed("systemctl show -p MainPID --value headroom.service").strip()

    def switch(name):
        machine.succeed(f"/run/current-system/specialisation/{name}/bin/switch-to-configuration test")

    machine.wait_for_unit("headroom.service")

    with subtest("active under its watchdog, and the protected list merged"):
        machine.succeed("test \"$(systemctl show -p WatchdogUSec --value headroom.service)\" = 30s")
        pid = main_pid()
        # Longer than WatchdogSec: a daemon that did not ping would have been killed.
        machine.sleep(40)
        machine.succeed("systemctl is-active headroom.service")
        assert main_pid() == pid, "headroom was restarted during a watchdog period"
        config = json.loads(machine.succeed("cat /etc/headroom/config.json"))
        protected = config["supervisor"]["protected"]
        for unit in ["sshd", "systemd-journald", "dbus", "postgresql"]:
            assert unit in protected, f"{unit} not protected: {protected}"
        # The unit is the package's, with NixOS's lines as a drop-in (overrideStrategy asDropin).
        machine.succeed("systemctl cat headroom.service | grep -q '^# /etc/systemd/system/headroom.service.d/overrides.conf'")

    with subtest("journal catalog installed"):
        machine.wait_for_unit("headroom-catalog.service")
        machine.succeed("journalctl --list-catalog | grep -q ${leakCatalogId}")

    with subtest("a config change reloads, same MainPID"):
        pid = main_pid()
        switch("reconfigured")
        machine.wait_until_succeeds("journalctl -u headroom.service | grep -q 'config reloaded'", timeout=30)
        assert main_pid() == pid, "a config change restarted headroom instead of reloading it"
        config = json.loads(machine.succeed("cat /etc/headroom/config.json"))
        assert config["supervisor"]["prefer"] == ["leaker"], config["supervisor"]["prefer"]

    with subtest("ticket units only with tickets.url"):
        machine.fail("systemctl is-active headroom-ship.path")
        machine.fail("systemctl is-active headroom-ship.timer")
        machine.fail("test -e /etc/systemd/system/paths.target.wants/headroom-ship.path")
        machine.fail("test -e /etc/systemd/system/timers.target.wants/headroom-ship.timer")
        machine.succeed("mkdir -p /run/keys && echo 'Authorization: Bearer test' > /run/keys/headroom-headers")
        switch("tickets")
        machine.succeed("test -e /etc/systemd/system/paths.target.wants/headroom-ship.path")
        machine.succeed("test -e /etc/systemd/system/timers.target.wants/headroom-ship.timer")
        # At boot paths.target and timers.target start them; after a switch, start the
        # targets again to pull in what they now want (a boot is what a fleet host does).
        machine.succeed("systemctl start paths.target timers.target")
        machine.wait_for_unit("headroom-ship.path")
        machine.wait_for_unit("headroom-ship.timer")
        machine.succeed("systemctl show -p LoadCredential --value headroom-ship.service | grep -q 'tickets-headers:/run/keys/headroom-headers'")
        config = json.loads(machine.succeed("cat /etc/headroom/config.json"))
        assert config["tickets"]["headers_file"] == "tickets-headers", config["tickets"]
        machine.fail("grep -rq 'Bearer test' /etc/headroom/")

    with subtest("a leaking service is restarted, and an incident file appears"):
        machine.succeed("systemctl start leaker.service")
        first = machine.succeed("systemctl show -p InvocationID --value leaker.service").strip()
        machine.wait_until_succeeds("ls /var/lib/headroom/incidents/*.json", timeout=180)
        machine.wait_until_succeeds(
            f"test \"$(systemctl show -p InvocationID --value leaker.service)\" != {first}", timeout=60)
        machine.succeed("systemctl is-active leaker.service")
        incident = machine.succeed("cat /var/lib/headroom/incidents/*.json")
        assert "leaker.service" in incident, incident
        machine.succeed("systemctl is-active headroom.service")
  '';
}
