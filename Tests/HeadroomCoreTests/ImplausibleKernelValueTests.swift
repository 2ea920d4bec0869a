import HeadroomCore
import Testing

/// Kernel numbers above 2^52 (4 PiB; for counters, more events than a machine can have) are
/// refused where they are read, so no sum or conversion downstream can overflow on them.
@Suite("Implausible kernel values are refused at parse time")
struct ImplausibleKernelValueTests {
    static let maximum = "18446744073709551615"
    static let justOver = String((1 as UInt64) << 52 + 1)

    struct Case: CustomTestStringConvertible, Sendable {
        let file: String
        let text: String
        let line: Int
        let value: String
        var testDescription: String { "\(file): \(value)" }
    }

    static let cases: [Case] = [
        Case(file: "memory.current", text: maximum + "\n", line: 1, value: maximum),
        Case(file: "memory.current", text: justOver + "\n", line: 1, value: justOver),
        Case(file: "memory.stat", text: "anon 1\nfile \(maximum)\nactive_file 0\ninactive_file 0\n", line: 2, value: maximum),
        Case(file: "memory.stat", text: "anon \(justOver)\nfile 1\nactive_file 0\ninactive_file 0\n", line: 1, value: justOver),
        Case(file: "memory.events", text: "low 0\nhigh 0\nmax 0\noom 0\noom_kill \(maximum)\n", line: 5, value: maximum),
        Case(file: "meminfo", text: meminfo(memTotal: "4503599627370497 kB"), line: 1, value: "4503599627370497"),
        Case(file: "meminfo", text: meminfo(memTotal: "8796093022208 kB"), line: 1, value: "8796093022208"),
        Case(file: "vmstat", text: "nr_free_pages 1\noom_kill 0\npswpout \(maximum)\n", line: 3, value: maximum),
        Case(file: "pressure", text: "some avg10=0.00 avg60=0.00 avg300=0.00 total=\(maximum)\n"
                + "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", line: 1, value: maximum),
        Case(file: "swaps", text: "Filename Type Size Used Priority\n/dev/vdb partition \(maximum) 0 -2\n",
             line: 2, value: maximum),
        Case(file: "swaps", text: "Filename Type Size Used Priority\n/dev/vdb partition 18014398509481984 0 -2\n",
             line: 2, value: "18014398509481984"),
        Case(file: "block_size_bytes", text: "ffffffffffffffff\n", line: 1, value: maximum),
        // /proc/PID/status in kB: x 1024 trapped for 2^54 kB and up before it was checked.
        Case(file: "status", text: "Name:\tweb\nVmRSS:\t18014398509481984 kB\n", line: 2, value: "18014398509481984"),
        Case(file: "status", text: "Name:\tweb\nVmRSS:\t1 kB\nVmSwap:\t\(maximum) kB\n", line: 3, value: maximum),
        Case(file: "status", text: "RssAnon:\t4503599627370497 kB\n", line: 1, value: "4503599627370497"),
    ]

    static func meminfo(memTotal: String) -> String {
        ["MemTotal: " + memTotal, "MemFree: 1 kB", "MemAvailable: 1 kB", "Cached: 1 kB", "Active(file): 1 kB",
         "Inactive(file): 1 kB", "SwapTotal: 0 kB", "SwapFree: 0 kB"].joined(separator: "\n") + "\n"
    }

    @Test(arguments: cases)
    func implausibleValueIsRefusedNamingFileLineAndValue(_ testCase: Case) {
        let text = KernelText(testCase.text, path: "/sys/fs/cgroup/app.service/" + testCase.file)
        do {
            try MalformedKernelFileTests.parse(text, as: testCase.file)
            Issue.record("\(testCase.file) accepted \(testCase.value)")
        } catch {
            #expect(error.kind == .malformed)
            #expect(error.lineNumber == testCase.line)
            #expect(error.description.hasPrefix(text.path + ":\(testCase.line):"))
            #expect(error.reason.contains(testCase.value), "\(error.reason)")
            #expect(error.reason.contains("implausible"), "\(error.reason)")
        }
    }

    @Test("the largest plausible values still parse")
    func valuesAtTheBoundParse() throws {
        let limit = (1 as UInt64) << 52
        #expect(try CgroupCounter.parse(KernelText("\(limit)\n", path: "memory.current")) == limit)
        let info = try Meminfo.parse(KernelText(Self.meminfo(memTotal: "\(limit / 1024) kB"), path: "meminfo"))
        #expect(info.memTotal == limit)
        let swaps = try SwapDevice.parseAll(KernelText("Filename Type Size Used Priority\n/dev/vdb partition "
            + "\(limit / 1024) \(limit / 1024) -2\n", path: "swaps"))
        #expect(swaps.first?.sizeBytes == limit)
    }

    @Test("a memory limit above any possible RAM reads as unlimited")
    func hugeLimitIsUnlimited() throws {
        #expect(try MemoryLimit.parse(KernelText("\(Self.maximum)\n", path: "memory.max")) == .unlimited)
        #expect(try MemoryLimit.parse(KernelText("9223372036854771712\n", path: "memory.max")) == .unlimited)
        #expect(try MemoryLimit.parse(KernelText("1073741824\n", path: "memory.max")) == .bytes(1 << 30))
    }

    @Test("a long line is shortened to 120 characters in the message")
    func longLineIsTruncated() {
        let long = String(repeating: "x", count: 10_000)
        do {
            _ = try Vmstat.parse(KernelText("oom_kill 0\n" + long + "\n", path: "/proc/vmstat"))
            Issue.record("parsed")
        } catch {
            #expect(error.line?.count == 121)
            #expect(error.line?.hasSuffix("…") == true)
            #expect(error.description.count < 300)
        }
        do {
            _ = try Vmstat.parse(KernelText("oom_kill 0\nx y z\n", path: "/proc/vmstat"))
        } catch {
            #expect(error.line == "x y z")
        }
    }
}
