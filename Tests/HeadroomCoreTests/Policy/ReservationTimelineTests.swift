@testable import HeadroomCore
import Testing

/// A service that maps its heap at start and touches it fast (a database's buffers, a JVM's
/// `-Xms`, the e2e creep class's start) grows at hundreds of MiB/s but only up to what it
/// mapped; a leak maps as it grows. Each case at two clearly different sizes and rates.
@Suite("Policy timelines: starts that fill what they mapped")
struct ReservationTimelineTests {
    static let mib = PolicyRig.mib
    static let gib = PolicyRig.gib

    struct Start: CustomTestStringConvertible, Sendable {
        var installed: UInt64, swap: UInt64, base: UInt64
        /// What MemAvailable keeps once the start is touched.
        var left: UInt64
        var rate: UInt64
        var driver: PolicyRig.Driver = .engine
        var testDescription: String {
            "\(ByteSize.format(installed)) VM, start leaves \(ByteSize.format(left)) at \(ByteSize.format(rate))/s, \(driver.rawValue)"
        }

        /// The start's size: all of MemAvailable but `left` (the rig's MemTotal is installed less 150 MiB).
        var heap: UInt64 { installed - 150 * PolicyRig.mib - base - 300 * PolicyRig.mib - left }

        static let sizes = [
            Start(installed: 3 * gib, swap: 512 * mib, base: 200 * mib, left: 150 * mib, rate: 250 * mib),
            Start(installed: 6 * gib, swap: gib, base: 600 * mib, left: 250 * mib, rate: 150 * mib),
        ]
        static var throughBoth: [Start] { sizes + sizes.map { var size = $0; size.driver = .supervisor; return size } }
    }

    static func rig(_ start: Start, size: @escaping (Double) -> UInt64, mapped: ((Double) -> UInt64)?) -> PolicyRig {
        var service = PolicyRig.Unit("analytics.service", slice: "customer.slice", startedAt: 0, size: size)
        service.mapped = mapped
        return PolicyRig(installed: start.installed, baseUsed: start.base, swap: start.swap,
                         units: [service, PolicyRig.Unit("shop.service", size: Shape.steady(300 * mib))],
                         driver: start.driver)
    }

    @Test("a fast start into its own mapping that stops above RAM's floor: left alone, no stall",
          arguments: Start.throughBoth)
    func fillsMapping(start: Start) {
        let heap = start.heap
        var rig = Self.rig(start, size: Shape.ramp(from: 20 * Self.mib, to: heap, perSecond: start.rate),
                           mapped: { _ in heap })
        rig.run(until: 120, step: 0.25)
        #expect(rig.actions(on: "analytics.service").isEmpty, "\(rig.story)")
        #expect(!rig.touched("shop.service"))
        #expect(rig.stallTicks == 0 && !rig.ranOut, "\(rig.story)")
    }

    @Test("the same start unread (no reservation): met by the forecast during its start, as before",
          arguments: Start.sizes)
    func unreadStartIsForecast(start: Start) {
        let heap = start.heap
        var rig = Self.rig(start, size: Shape.ramp(from: 20 * Self.mib, to: heap, perSecond: start.rate), mapped: nil)
        rig.run(until: 120, step: 0.25)
        #expect(rig.restarts(of: "analytics.service") >= 1, "without the reservation the rule has nothing to go on\n\(rig.story)")
    }

    @Test("a leak as fast that maps as it grows: restarted before the VM stalls",
          arguments: Start.throughBoth)
    func leakMapsAsItGrows(start: Start) {
        let leak = Shape.leak(from: 20 * Self.mib, perSecond: start.rate)
        var rig = Self.rig(start, size: leak, mapped: { age in leak(age) + 4 * Self.mib })
        rig.update("analytics.service") { $0.afterRestart = Shape.steady(20 * Self.mib) }
        rig.run(until: 120, step: 0.25)
        #expect(rig.restarts(of: "analytics.service") == 1, "\(rig.story)")
        #expect(rig.stallTicks == 0 && !rig.ranOut, "\(rig.story)")
        #expect(!rig.touched("shop.service"))
    }

    @Test("a fast start whose mapping does not fit above the floor: restarted before the VM stalls",
          arguments: Start.throughBoth)
    func mappingTooLarge(start: Start) {
        let mapping = start.heap + 600 * Self.mib
        var rig = Self.rig(start, size: Shape.ramp(from: 20 * Self.mib, to: mapping, perSecond: start.rate),
                           mapped: { _ in mapping })
        rig.update("analytics.service") { $0.afterRestart = Shape.steady(20 * Self.mib) }
        rig.run(until: 120, step: 0.25)
        #expect(rig.restarts(of: "analytics.service") == 1, "\(rig.story)")
        #expect(rig.stallTicks == 0 && !rig.ranOut, "\(rig.story)")
    }

    @Test("a start into its mapping, then a creep: not acted on during its start; the creep is met before a stall",
          arguments: Start.throughBoth)
    func startThenCreep(start: Start) throws {
        let heap = start.heap
        let rampEnd = Double(heap) / Double(start.rate)
        let creep: (Double) -> UInt64 = { age in
            age < rampEnd ? UInt64(age * Double(start.rate)) : heap + UInt64((age - rampEnd) * 0.8 * Double(Self.mib))
        }
        // The creep maps as it goes; the start's mapping stays.
        var rig = Self.rig(start, size: creep, mapped: { age in max(heap, creep(age)) })
        rig.run(until: 600, step: 0.25)
        let first = try #require(rig.events.first { event in
            if case .act(let action, _, _) = event.decision { action.unit == "analytics.service" } else { false }
        }, "the creep was never met\n\(rig.story)")
        #expect(first.time >= 30, "acted on during its start\n\(rig.story)")
        #expect(rig.stallTicks == 0 && !rig.ranOut, "\(rig.story)")
        #expect(!rig.touched("shop.service"))
    }
}
