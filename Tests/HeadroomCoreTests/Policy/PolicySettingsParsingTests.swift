@testable import HeadroomCore
import Testing

@Suite("Policy settings parsing")
struct PolicySettingsParsingTests {
    static func parse(_ text: String) throws(ConfigError) -> PolicySettings {
        guard let json = try? JSONValue.parse(Array(text.utf8)) else { fatalError("test JSON is invalid: \(text)") }
        return try PolicySettings.parse(json: json)
    }

    @Test("every key is read, sizes in binary units, and the effective config round-trips")
    func readsKeys() throws {
        let settings = try Self.parse("""
            {"horizon": {"fast_window_seconds": 4, "long_window_seconds": 90, "swap_reserve_percent": 5,
                         "swap_absorb_per_second": "48MiB", "stall_full_avg10": 15,
                         "stall_available_percent": 30},
             "warm_up": {"young_seconds": 1200, "absorb_lookahead_seconds": 15, "absorb_reserve_minimum": "200MiB",
                         "absorb_reserve_percent": 4, "ram_critical_seconds": 6},
             "candidates": {"growth_minimum": "16MiB", "minimum_working_set": "40MiB",
                            "shared_memory_dominant_percent": 60, "regrow_percent": 80},
             "ladder": {"throttle_horizon_seconds": 240, "restart_horizon_seconds": 20, "lift_horizon_seconds": 900,
                        "lift_after_seconds": 30, "throttle_slack_percent": 10, "restart_deadline_seconds": 8,
                        "contain_after_restarts": 2, "contain_growth_factor": 2, "contain_room_share_percent": 40,
                        "contain_high_percent": 85, "contain_swap_max": "64MiB", "settle_seconds": 90},
             "runaway": {"terminate_processes": false, "minimum": "128MiB", "term_grace_seconds": 3},
             "no_action_repeat_seconds": 900, "episode_quiet_seconds": 60}
            """)
        #expect(settings.horizon.swapAbsorbBytesPerSecond == 48 << 20)
        #expect(settings.horizon.stallAvailablePercent == 30)
        #expect(settings.warmUp.youngSeconds == 1200)
        #expect(settings.candidates.regrowPercent == 80)
        #expect(settings.ladder.containAfterRestarts == 2)
        #expect(settings.ladder.containSwapMaxBytes == 64 << 20)
        #expect(!settings.runaway.terminateProcesses)
        #expect(settings.noActionRepeatSeconds == 900)
        #expect(try PolicySettings.parse(json: settings.jsonValue) == settings)
        #expect(try PolicySettings.parse(json: PolicySettings().jsonValue) == PolicySettings())
    }

    @Test("bad values are refused with their path", arguments: [
        (#"{"ladder": {"restart_horizon_seconds": 300}}"#, "policy.ladder.restart_horizon_seconds"),
        (#"{"ladder": {"lift_horizon_seconds": 60}}"#, "policy.ladder.lift_horizon_seconds"),
        (#"{"ladder": {"contain_after_restarts": 1.5}}"#, "policy.ladder.contain_after_restarts"),
        (#"{"horizon": {"long_window_seconds": 10, "fast_window_seconds": 20}}"#, "policy.horizon.long_window_seconds"),
        (#"{"horizon": {"swap_absorb_per_second": "32MB"}}"#, "policy.horizon.swap_absorb_per_second"),
        (#"{"runaway": {"terminate_processes": "yes"}}"#, "policy.runaway.terminate_processes"),
        (#"{"warm_up": {"young": 5}}"#, "policy.warm_up.young"),
        (#"{"candidates": {"regrow_percent": 0}}"#, "policy.candidates.regrow_percent"),
    ])
    func refuses(text: String, path: String) {
        #expect(throws: ConfigError.self) { try Self.parse(text) }
        do {
            _ = try Self.parse(text)
        } catch {
            #expect(error.path == path)
        }
    }
}

@Suite("No-action reasons")
struct NoActionReasonTextTests {
    @Test("the shared-memory reason says where the memory is; codes are the documented ones")
    func text() {
        let tmpfs = CulpritChooser.NoActionReason.memoryInSharedMemory(unit: "cache.service", bytes: 900 << 20)
        #expect(tmpfs.code == "memory_in_shared_memory")
        #expect(tmpfs.sentence.hasPrefix("cache.service holds 900 MiB in shared memory (tmpfs or shmem)"))
        #expect(CulpritChooser.NoActionReason.consumerProtected(unit: "session-2.scope").code == "consumer_protected")
    }
}
