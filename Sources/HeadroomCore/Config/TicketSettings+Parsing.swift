/// Sections `tickets` and `metrics` of the config file.
extension TicketSettings {
    mutating func apply(json: JSONValue, at path: ConfigPath) throws(ConfigError) {
        let fields = try json.object(at: path, allowed: ["url", "headers", "headers_file", "allow_insecure_http",
                                                          "timeout_seconds", "retry_initial_seconds",
                                                          "retry_maximum_seconds"])
        if let value = fields["url"] { url = try Self.url(value, at: path.key("url")) }
        if let value = fields["headers"] { headers = try Self.headers(value, at: path.key("headers")) }
        if let value = fields["headers_file"] {
            headersFile = try Self.headersFile(value, at: path.key("headers_file"))
        }
        if let value = fields["allow_insecure_http"] {
            guard case .bool(let allowed) = value else {
                throw path.key("allow_insecure_http").error("expected true or false, found \(value.kindName)")
            }
            allowInsecureHTTP = allowed
        }
        if let value = fields["timeout_seconds"] {
            timeoutSeconds = try value.number(at: path.key("timeout_seconds"), in: 1...300,
                                              meaning: "a request timeout in seconds")
        }
        if let value = fields["retry_initial_seconds"] {
            retryInitialSeconds = try value.number(at: path.key("retry_initial_seconds"), in: 1...86_400,
                                                   meaning: "the first retry delay in seconds")
        }
        if let value = fields["retry_maximum_seconds"] {
            retryMaximumSeconds = try value.number(at: path.key("retry_maximum_seconds"), in: 1...604_800,
                                                   meaning: "the longest retry delay in seconds")
        }
        guard retryMaximumSeconds >= retryInitialSeconds else {
            throw path.key("retry_maximum_seconds").error(
                "expected at least retry_initial_seconds (\(retryInitialSeconds.compact)), found \(retryMaximumSeconds.compact)")
        }
    }

    private static func url(_ value: JSONValue, at urlPath: ConfigPath) throws(ConfigError) -> String? {
        switch value {
        case .null:
            return nil
        case .string(let text) where text.hasPrefix("http://") || text.hasPrefix("https://"):
            guard !text.contains(where: { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" }) else {
                throw urlPath.error("expected a URL without spaces, found \"\(text)\"")
            }
            return text
        case .string(let text):
            throw urlPath.error("expected an http:// or https:// URL, found \"\(text)\"")
        default:
            throw urlPath.error("expected an http:// or https:// URL as a string, or null, found \(value.kindName)")
        }
    }

    /// Sorted by name: the parsed object keeps no order of its own.
    private static func headers(_ value: JSONValue, at headersPath: ConfigPath) throws(ConfigError) -> [TicketHeader] {
        guard case .object(let entries) = value else {
            throw headersPath.error("expected an object of header names to values, found \(value.kindName)")
        }
        var parsed: [TicketHeader] = []
        for name in entries.keys.sorted() {
            let headerPath = headersPath.key(name)
            guard !name.isEmpty, name.utf8.allSatisfy(Self.isHeaderNameByte) else {
                throw headerPath.error("expected a header name of letters, digits and -")
            }
            guard case .string(let text)? = entries[name] else {
                throw headerPath.error("expected the header's value as a string, found \(entries[name]?.kindName ?? "nothing")")
            }
            guard !text.contains(where: { $0 == "\n" || $0 == "\r" }) else {
                throw headerPath.error("expected a header value on one line")
            }
            parsed.append(TicketHeader(name: name, value: text))
        }
        return parsed
    }

    private static func headersFile(_ value: JSONValue, at path: ConfigPath) throws(ConfigError) -> String? {
        switch value {
        case .null:
            return nil
        case .string(let text) where !text.isEmpty && !text.utf8.contains(0) && text.utf8.count < 4096:
            return text
        default:
            throw path.error("expected a file name (absolute, or relative to $CREDENTIALS_DIRECTORY) as a string, "
                + "or null, found \(value.kindName)")
        }
    }

    /// A byte of a header name: letters, digits and '-'.
    public static func isHeaderNameByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x2D
    }

    var jsonValue: JSONValue {
        var headerFields: [String: JSONValue] = [:]
        for header in headers { headerFields[header.name] = .string(header.value) }
        return .object([
            "url": url.map(JSONValue.string) ?? .null,
            "headers": .object(headerFields),
            "headers_file": headersFile.map(JSONValue.string) ?? .null,
            "allow_insecure_http": .bool(allowInsecureHTTP),
            "timeout_seconds": timeoutSeconds.configValue,
            "retry_initial_seconds": retryInitialSeconds.configValue,
            "retry_maximum_seconds": retryMaximumSeconds.configValue,
        ])
    }
}

extension MetricsSettings {
    mutating func apply(json: JSONValue, at path: ConfigPath) throws(ConfigError) {
        let fields = try json.object(at: path, allowed: ["influx_socket", "interval_seconds"])
        if let value = fields["influx_socket"] {
            let socketPath = path.key("influx_socket")
            switch value {
            case .null:
                influxSocket = nil
            case .string(let text) where text.hasPrefix("/") && text.utf8.count < 108:
                influxSocket = text
            case .string(let text):
                throw socketPath.error("expected an absolute socket path shorter than 108 bytes, found \"\(text)\"")
            default:
                throw socketPath.error("expected a socket path as a string, or null, found \(value.kindName)")
            }
        }
        if let value = fields["interval_seconds"] {
            intervalSeconds = try value.number(at: path.key("interval_seconds"), in: 1...3600,
                                               meaning: "a push interval in seconds")
        }
    }

    var jsonValue: JSONValue {
        .object([
            "influx_socket": influxSocket.map(JSONValue.string) ?? .null,
            "interval_seconds": intervalSeconds.configValue,
        ])
    }
}

extension Double {
    /// A whole number as a JSON integer, so `config show` prints 10 rather than 10.0.
    var configValue: JSONValue {
        self == rounded() && abs(self) < 1e15 ? .integer(Int64(self)) : .number(self)
    }
}
