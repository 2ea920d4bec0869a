#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import HeadroomCore
import HeadroomLinux

/// A secret that cannot be used as configured: names the file (and line) or the setting.
public struct TicketSecretsError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String

    public var description: String { message }
}

/// The request headers of a run and the checks that keep a webhook token a secret:
/// `tickets.headers_file` read (relative names in `$CREDENTIALS_DIRECTORY`), a warning for a
/// world-readable file holding headers, and no secret header over `http://` unless
/// `tickets.allow_insecure_http` says so (the last two shared with `headroom config check`:
/// `TicketSecretChecks`).
public enum TicketSecrets {
    /// - Parameters:
    ///   - configFile: the config file the settings came from, to warn when it holds
    ///     `tickets.headers` and anyone may read it.
    ///   - credentialsDirectory: `$CREDENTIALS_DIRECTORY` (set by systemd for `LoadCredential=`).
    /// - Returns: the headers to send (config first, then the file's; a name in both: the file's
    ///   value) and warnings.
    /// - Throws: `TicketSecretsError` for a file that cannot be read or parsed, or a secret
    ///   header that would go over plain HTTP.
    public static func headers(url: String, settings: TicketSettings, configFile: String,
                               credentialsDirectory: String?) throws(TicketSecretsError)
        -> (headers: [TicketHeader], warnings: [String]) {
        var warnings = [TicketSecretChecks.worldReadableHeaders(settings, configFile: configFile)].compactMap { $0 }
        var headers = settings.headers
        var secret = TicketSecretChecks.secretHeaders(settings)
        if let name = settings.headersFile {
            let file = try resolve(name, credentialsDirectory: credentialsDirectory)
            if TicketSecretChecks.isWorldReadable(file) {
                warnings.append("tickets.headers_file \(file) is readable by every user: chmod o-r it")
            }
            let fromFile = try parse(file)
            let names = Set(fromFile.map { $0.name.lowercased() })
            headers = headers.filter { !names.contains($0.name.lowercased()) } + fromFile
            secret += fromFile.map(\.name)
        }
        if let refusal = TicketSecretChecks.insecureHTTP(url: url, secret: secret, settings: settings) {
            throw TicketSecretsError(message: refusal)
        }
        return (headers, warnings)
    }

    /// An absolute name as it is; a relative one in the credentials directory.
    static func resolve(_ name: String, credentialsDirectory: String?) throws(TicketSecretsError) -> String {
        if name.hasPrefix("/") { return name }
        guard let directory = credentialsDirectory, !directory.isEmpty else {
            throw TicketSecretsError(message: "tickets.headers_file \"\(name)\" is a relative name, but "
                + "$CREDENTIALS_DIRECTORY is not set: give the unit LoadCredential=\(name):/path/to/file, "
                + "or an absolute path")
        }
        guard !name.split(separator: "/").contains("..") else {
            throw TicketSecretsError(message: "tickets.headers_file \"\(name)\": '..' is not allowed in a credential name")
        }
        return directory + "/" + name
    }

    /// `Name: value` lines; blank lines and lines starting with '#' are skipped.
    static func parse(_ file: String) throws(TicketSecretsError) -> [TicketHeader] {
        let text: KernelText
        do {
            text = try KernelFileReader.read(file)
        } catch {
            throw TicketSecretsError(message: "tickets.headers_file \(file): "
                + (error.kind == .missing ? "does not exist" : error.reason))
        }
        var headers: [TicketHeader] = []
        var number = 0
        // Split on the byte: in Swift "\r\n" is one Character, so a String split on "\n" would miss it.
        for bytes in text.bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            number += 1
            let line = Substring(String(decoding: bytes.last == 0x0D ? bytes.dropLast() : bytes, as: UTF8.self))
            let trimmed = line
            if trimmed.allSatisfy({ $0 == " " || $0 == "\t" }) || trimmed.hasPrefix("#") { continue }
            guard let colon = trimmed.firstIndex(of: ":") else {
                throw TicketSecretsError(message: "\(file):\(number): expected 'Name: value'")
            }
            let name = String(trimmed[..<colon])
            guard !name.isEmpty, name.utf8.allSatisfy(TicketSettings.isHeaderNameByte) else {
                throw TicketSecretsError(message: "\(file):\(number): expected a header name of letters, digits and - "
                    + "before ':'")
            }
            var value = trimmed[trimmed.index(after: colon)...]
            while value.first == " " || value.first == "\t" { value = value.dropFirst() }
            while value.last == " " || value.last == "\t" { value = value.dropLast() }
            guard !value.contains("\r") else {
                throw TicketSecretsError(message: "\(file):\(number): a carriage return inside the value")
            }
            headers.append(TicketHeader(name: name, value: String(value)))
        }
        return headers
    }
}
