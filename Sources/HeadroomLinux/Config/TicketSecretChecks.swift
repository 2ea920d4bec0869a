#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import HeadroomCore

/// The checks that keep a webhook token a secret, one copy for `headroom config check` (which the
/// NixOS module runs at build time) and `headroom-ship` (at every run): a config file holding
/// `tickets.headers` that every user can read, and a secret header sent over plain `http://`.
public enum TicketSecretChecks {
    /// A warning when `configFile` holds `tickets.headers` and is readable by every user (a
    /// NixOS store path always is).
    public static func worldReadableHeaders(_ settings: TicketSettings, configFile: String) -> String? {
        guard !settings.headers.isEmpty, isWorldReadable(configFile) else { return nil }
        return "\(configFile) holds tickets.headers and is readable by every user: move the secret "
            + "to tickets.headers_file (with systemd LoadCredential=), or chmod o-r the file"
    }

    /// The headers of the config that are secrets: Authorization.
    public static func secretHeaders(_ settings: TicketSettings) -> [String] {
        settings.headers.filter { $0.name.lowercased() == "authorization" }.map(\.name)
    }

    /// Why the request may not be sent: `secret` headers to a plain `http://` URL without
    /// `tickets.allow_insecure_http`; nil when it may.
    public static func insecureHTTP(url: String?, secret: [String], settings: TicketSettings) -> String? {
        guard let url, url.lowercased().hasPrefix("http://"), !secret.isEmpty, !settings.allowInsecureHTTP else {
            return nil
        }
        return "tickets.url is plain http:// but the request would carry \(secret.joined(separator: ", ")) "
            + "(a secret): use https://, or set tickets.allow_insecure_http to true if the path is trusted "
            + "(e.g. a local relay)"
    }

    public static func isWorldReadable(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & 0o004 != 0
    }
}
