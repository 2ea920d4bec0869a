/// The two text formats of `headroom metrics`, rendered from the same families.
public enum MetricsRendering {
    // MARK: Prometheus text exposition format 0.0.4

    /// `# HELP`, `# TYPE` and one line per sample, for node_exporter's textfile collector,
    /// telegraf's `inputs.exec` with `data_format = "prometheus"`, or any scraper.
    /// Text values (InfluxDB only) are left out.
    public static func prometheus(_ families: [MetricFamily]) -> String {
        var out = ""
        for family in families {
            let samples = family.samples.filter { if case .text = $0.value { false } else { true } }
            guard !samples.isEmpty else { continue }
            let name = family.prometheusName
            out += "# HELP \(name) \(escapeHelp(family.help))\n"
            out += "# TYPE \(name) \(family.kind.rawValue)\n"
            for sample in samples {
                out += name
                if !sample.labels.isEmpty {
                    out += "{"
                    out += sample.labels.map { "\($0.name)=\"\(escapeLabelValue($0.value))\"" }.joined(separator: ",")
                    out += "}"
                }
                out += " " + number(sample.value) + "\n"
            }
        }
        return out
    }

    /// Label values: backslash, double quote and line feed are escaped (`\\`, `\"`, `\n`).
    public static func escapeLabelValue(_ value: String) -> String {
        escape(value) { character in
            switch character {
            case "\\": "\\\\"
            case "\"": "\\\""
            case "\n": "\\n"
            default: nil
            }
        }
    }

    /// HELP text: backslash and line feed are escaped.
    static func escapeHelp(_ text: String) -> String {
        escape(text) { character in
            switch character {
            case "\\": "\\\\"
            case "\n": "\\n"
            default: nil
            }
        }
    }

    // MARK: InfluxDB line protocol

    /// One line per measurement and tag set, its fields in family order, no timestamp (the
    /// receiver, e.g. telegraf, stamps it): `headroom_budget,category=monitoring expected_bytes=956301312i,...`.
    /// Integers carry the `i` suffix; non-finite numbers are left out, and so are tags with an
    /// empty value (line protocol has none).
    public static func influx(_ families: [MetricFamily]) -> String {
        var keys: [String] = []
        var fields: [String: [String]] = [:]
        for family in families {
            for sample in family.samples {
                guard let value = influxValue(sample.value) else { continue }
                let key = escapeMeasurement(family.measurement)
                    + sample.labels.filter { !$0.value.isEmpty }.sorted { $0.name < $1.name }
                        .map { "," + escapeTag($0.name) + "=" + escapeTag($0.value) }.joined()
                if fields[key] == nil { keys.append(key) }
                fields[key, default: []].append(escapeTag(family.field) + "=" + value)
            }
        }
        return keys.map { $0 + " " + fields[$0]!.joined(separator: ",") + "\n" }.joined()
    }

    /// Tag keys, tag values and field keys: comma, equals sign and space are escaped with a
    /// backslash. Line protocol cannot carry a line break there; one becomes an escaped space.
    public static func escapeTag(_ text: String) -> String {
        escape(text) { character in
            switch character {
            case ",", "=", " ": "\\" + String(character)
            case "\n", "\r", "\t": "\\ "
            default: nil
            }
        }
    }

    /// Measurement names: comma and space are escaped.
    static func escapeMeasurement(_ text: String) -> String {
        escape(text) { character in
            switch character {
            case ",", " ": "\\" + String(character)
            default: nil
            }
        }
    }

    /// String field values: double quote and backslash are escaped; a line break becomes a space.
    static func escapeFieldString(_ text: String) -> String {
        escape(text) { character in
            switch character {
            case "\"": "\\\""
            case "\\": "\\\\"
            case "\n", "\r": " "
            default: nil
            }
        }
    }

    /// `text` with each scalar that `replacement` maps replaced.
    private static func escape(_ text: String, _ replacement: (Unicode.Scalar) -> String?) -> String {
        var out = ""
        for character in text.unicodeScalars {
            if let replaced = replacement(character) { out += replaced } else { out.unicodeScalars.append(character) }
        }
        return out
    }

    private static func influxValue(_ value: MetricSample.Value) -> String? {
        switch value {
        case .integer(let number): "\(number)i"
        case .number(let number): number.isFinite ? "\(number)" : nil
        case .text(let text): "\"" + escapeFieldString(text) + "\""
        }
    }

    /// Prometheus accepts NaN and ±Inf spelt so.
    private static func number(_ value: MetricSample.Value) -> String {
        switch value {
        case .integer(let number): return "\(number)"
        case .number(let number):
            if number.isNaN { return "NaN" }
            if number.isInfinite { return number < 0 ? "-Inf" : "+Inf" }
            return "\(number)"
        case .text: return "NaN"
        }
    }
}
