#if canImport(Glibc)
import Glibc
#endif
import Foundation
import HeadroomCLI
import HeadroomCore
import Testing

/// `headroom(...)` with the arguments in an array.
func headroom(_ arguments: [String]) -> CLIResult {
    let (code, output) = HeadroomCLI.run(arguments)
    return CLIResult(code: code, stdout: output.standardOutput, stderr: output.standardError)
}

/// What a child process printed and how it exited.
struct ProcessResult {
    let code: Int32
    let stdout: String
    let stderr: String
}

/// Runs `executable` with `arguments`, `input` on its stdin, and waits for it.
func runProcess(_ executable: String, _ arguments: [String], input: String = "") throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    // Read both pipes while the child runs, so a large output cannot fill a pipe and stall it.
    nonisolated(unsafe) var errorData = Data()
    let errorReader = Thread { errorData = stderr.fileHandleForReading.readDataToEndOfFile() }
    errorReader.start()
    stdin.fileHandleForWriting.write(Data(input.utf8))
    try stdin.fileHandleForWriting.close()
    let outputData = stdout.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while !errorReader.isFinished { usleep(1000) }
    return ProcessResult(code: process.terminationStatus, stdout: String(decoding: outputData, as: UTF8.self),
                         stderr: String(decoding: errorData, as: UTF8.self))
}

/// The `headroom` executable SwiftPM built beside this test bundle.
var builtHeadroom: String {
    get throws {
        let exe = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let path = String(exe[..<exe.lastIndex(of: "/")!]) + "/headroom"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw TestFailure("no headroom executable at \(path): build the package (swift build) before the tests")
        }
        return path
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs the built `headroom` as the unprivileged user nobody (uid/gid 65534) through
/// `setpriv`, with `groups` as its only supplementary groups. The binary is copied into
/// `scratch` first, so the user can reach it wherever the build directory is.
func headroomAsNobody(_ arguments: [String], groups: [gid_t] = [], scratch: ScratchDirectory) throws -> ProcessResult {
    guard getuid() == 0 else {
        throw TestFailure("this test runs headroom as uid 65534 through setpriv and needs root; it runs as uid \(getuid())")
    }
    let binary = scratch.path + "/bin/headroom"
    if !FileManager.default.fileExists(atPath: binary) {
        try FileManager.default.createDirectory(atPath: scratch.path + "/bin", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: try builtHeadroom, toPath: binary)
        chmod(binary, 0o755)
        chmod(scratch.path + "/bin", 0o755)
    }
    chmod(scratch.path, 0o755)
    let groupOption = groups.isEmpty ? "--clear-groups" : "--groups=" + groups.map(String.init).joined(separator: ",")
    return try runProcess("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", groupOption, "--", binary] + arguments)
}
