import FoundationEssentials
import HeadroomCore
import Testing

/// Every malformed variant under Tests/Fixtures/malformed gives a typed error naming
/// the file and, where one line is to blame, that line.
@Suite("Malformed kernel files give typed errors")
struct MalformedKernelFileTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let file: String
        let expectedKind: KernelFileError.Kind
        let expectedLine: Int?
        var testDescription: String { file }
    }

    static let cases: [Case] = [
        Case(file: "meminfo--no-colon", expectedKind: .malformed, expectedLine: 3),
        Case(file: "meminfo--bad-number", expectedKind: .malformed, expectedLine: 5),
        Case(file: "meminfo--bad-unit", expectedKind: .malformed, expectedLine: 4),
        Case(file: "meminfo--missing-memavailable", expectedKind: .missingKey("MemAvailable"), expectedLine: nil),
        Case(file: "meminfo--empty", expectedKind: .missingKey("MemTotal"), expectedLine: nil),
        Case(file: "meminfo--trailing-text", expectedKind: .malformed, expectedLine: 16),
        Case(file: "pressure--missing-full", expectedKind: .missingKey("full"), expectedLine: nil),
        Case(file: "pressure--bad-average", expectedKind: .malformed, expectedLine: 1),
        Case(file: "pressure--no-total", expectedKind: .malformed, expectedLine: 2),
        Case(file: "pressure--unknown-kind", expectedKind: .malformed, expectedLine: 2),
        Case(file: "pressure--average-over-100", expectedKind: .malformed, expectedLine: 1),
        Case(file: "pressure--negative-total", expectedKind: .malformed, expectedLine: 1),
        Case(file: "vmstat--missing-oom_kill", expectedKind: .missingKey("oom_kill"), expectedLine: nil),
        Case(file: "vmstat--non-number", expectedKind: .malformed, expectedLine: 75),
        Case(file: "vmstat--three-fields", expectedKind: .malformed, expectedLine: 97),
        Case(file: "swaps--no-header", expectedKind: .malformed, expectedLine: 1),
        Case(file: "swaps--four-fields", expectedKind: .malformed, expectedLine: 2),
        Case(file: "swaps--used-over-size", expectedKind: .malformed, expectedLine: 2),
        Case(file: "swaps--negative-size", expectedKind: .malformed, expectedLine: 2),
        Case(file: "swappiness--text", expectedKind: .malformed, expectedLine: 1),
        Case(file: "swappiness--out-of-range", expectedKind: .malformed, expectedLine: 1),
        Case(file: "swappiness--empty", expectedKind: .malformed, expectedLine: nil),
        Case(file: "swappiness--two-lines", expectedKind: .malformed, expectedLine: 2),
        Case(file: "memory.current--negative", expectedKind: .malformed, expectedLine: 1),
        Case(file: "memory.current--unit", expectedKind: .malformed, expectedLine: 1),
        Case(file: "memory.current--empty", expectedKind: .malformed, expectedLine: nil),
        Case(file: "memory.max--word", expectedKind: .malformed, expectedLine: 1),
        Case(file: "memory.max--fraction", expectedKind: .malformed, expectedLine: 1),
        Case(file: "memory.stat--missing-inactive_file", expectedKind: .missingKey("inactive_file"), expectedLine: nil),
        Case(file: "memory.stat--non-number", expectedKind: .malformed, expectedLine: 2),
        Case(file: "memory.events--missing-oom_kill", expectedKind: .missingKey("oom_kill"), expectedLine: nil),
        Case(file: "memory.events--no-value", expectedKind: .malformed, expectedLine: 5),
        Case(file: "memory.pressure--truncated", expectedKind: .malformed, expectedLine: 1),
        Case(file: "block_size_bytes--not-hex", expectedKind: .malformed, expectedLine: 1),
        Case(file: "block_size_bytes--zero", expectedKind: .malformed, expectedLine: 1),
        Case(file: "online--two", expectedKind: .malformed, expectedLine: 1),
    ]

    static func parse(_ text: KernelText, as kind: String) throws(KernelFileError) {
        switch kind {
        case "meminfo": _ = try Meminfo.parse(text)
        case "pressure", "memory.pressure": _ = try Pressure.parse(text)
        case "vmstat": _ = try Vmstat.parse(text)
        case "swaps": _ = try SwapDevice.parseAll(text)
        case "swappiness": _ = try Swappiness.parse(text)
        case "memory.current": _ = try CgroupCounter.parse(text)
        case "memory.max": _ = try MemoryLimit.parse(text)
        case "memory.stat": _ = try CgroupMemoryStat.parse(text)
        case "memory.events": _ = try CgroupMemoryEvents.parse(text)
        case "block_size_bytes": _ = try InstalledMemory.parseBlockSize(text)
        case "online": _ = try InstalledMemory.parseOnline(text)
        case "status": _ = try ProcessStatus.parse(text)
        default: Issue.record("no parser for \(kind)")
        }
    }

    @Test(arguments: cases)
    func malformedFileGivesTypedError(_ testCase: Case) throws {
        let text = try Fixtures.text("malformed/" + testCase.file)
        let kind = String(testCase.file.split(separator: "-", maxSplits: 1).first!)
        do {
            try Self.parse(text, as: kind)
            Issue.record("\(testCase.file) parsed without error")
        } catch {
            #expect(error.kind == testCase.expectedKind)
            #expect(error.lineNumber == testCase.expectedLine)
            #expect(error.path == text.path)
            #expect(error.description.hasPrefix(text.path))
            if testCase.expectedLine != nil { #expect(error.line != nil) }
        }
    }

    @Test("every malformed fixture is in the table")
    func tableCoversEveryFixture() throws {
        let onDisk = Set(try FileManager.default.contentsOfDirectory(atPath: Fixtures.path("malformed")))
        #expect(onDisk == Set(Self.cases.map(\.file)))
    }
}
