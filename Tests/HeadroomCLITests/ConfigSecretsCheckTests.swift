#if canImport(Glibc)
import Glibc
#endif
import Testing

/// `headroom config check` (which the NixOS module runs on the rendered, world-readable config)
/// checks the webhook secret as headroom-ship does at its run (issue 13).
@Suite("headroom config check: the webhook secret")
struct ConfigSecretsCheckTests {
    static func config(url: String, allowInsecure: Bool = false) -> String {
        #"{"tickets": {"url": "\#(url)", "headers": {"Authorization": "Bearer s3cret"}, "allow_insecure_http": \#(allowInsecure)}}"#
    }

    @Test("an Authorization header to an http:// URL is refused unless tickets.allow_insecure_http")
    func insecureHTTP() throws {
        let scratch = try ScratchDirectory()
        let file = try scratch.write("config.json", Self.config(url: "http://tickets.example/hook"))
        chmod(file, 0o600)
        let refused = headroom("config", "check", file)
        #expect(refused.code == 1)
        #expect(refused.stderr.hasPrefix("headroom: invalid config: \(file): tickets.url is plain http:// but the "
            + "request would carry Authorization"), "\(refused.stderr)")
        #expect(refused.stderr.contains("tickets.allow_insecure_http"))
        #expect(!refused.stderr.contains("s3cret"), "the secret itself is never printed")

        let allowed = try scratch.write("allowed.json", Self.config(url: "http://127.0.0.1:8080/hook", allowInsecure: true))
        chmod(allowed, 0o600)
        let accepted = headroom("config", "check", allowed)
        #expect(accepted.code == 0, "\(accepted.stderr)")
        #expect(accepted.stderr.isEmpty)
    }

    @Test("a config holding tickets.headers that every user can read: valid, with a warning naming the fix")
    func worldReadable() throws {
        let scratch = try ScratchDirectory()
        let file = try scratch.write("config.json", Self.config(url: "https://tickets.example/hook"))
        chmod(file, 0o644)
        let warned = headroom("config", "check", file)
        #expect(warned.code == 0)
        #expect(warned.stdout == "\(file): valid\n")
        #expect(warned.stderr.contains("warning: \(file) holds tickets.headers and is readable by every user"),
                "\(warned.stderr)")
        #expect(warned.stderr.contains("tickets.headers_file"))
        chmod(file, 0o640)
        let quiet = headroom("config", "check", file)
        #expect(quiet.code == 0)
        #expect(quiet.stderr.isEmpty, "\(quiet.stderr)")
    }
}
