#if canImport(Glibc)
import Glibc
#endif

/// What a command prints, collected so tests can read it and `run()` can write it.
public struct CommandOutput: Sendable {
    public var standardOutput = ""
    public var standardError = ""

    public init() {}

    mutating func print(_ text: String) { standardOutput += text + "\n" }
    mutating func error(_ text: String) { standardError += "headroom: " + text + "\n" }

    func flush() {
        write(standardOutput, to: STDOUT_FILENO)
        write(standardError, to: STDERR_FILENO)
    }

    private func write(_ text: String, to descriptor: Int32) {
        var remaining = Array(text.utf8)[...]
        while !remaining.isEmpty {
            let written = remaining.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            remaining = remaining.dropFirst(written)
        }
    }
}
