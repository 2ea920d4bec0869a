import HeadroomCore

/// `<state-dir>/tickets/<id>.queued`: an incident seen but not yet delivered, with its
/// attempts and when the next one is due.
public struct QueuedRecord: Equatable, Sendable {
    public var id: String
    public var firstSeenAtMs: Int64
    /// Failed attempts so far (0: seen, not yet tried).
    public var attempts: Int
    public var lastAttemptAtMs: Int64?
    /// nil until an attempt failed.
    public var nextAttemptAtMs: Int64?
    public var lastError: String?

    public init(id: String, firstSeenAtMs: Int64, attempts: Int = 0, lastAttemptAtMs: Int64? = nil,
                nextAttemptAtMs: Int64? = nil, lastError: String? = nil) {
        self.id = id
        self.firstSeenAtMs = firstSeenAtMs
        self.attempts = attempts
        self.lastAttemptAtMs = lastAttemptAtMs
        self.nextAttemptAtMs = nextAttemptAtMs
        self.lastError = lastError
    }

    public var jsonValue: JSONValue {
        .object([
            "id": .string(id),
            "first_seen_at_ms": .integer(firstSeenAtMs),
            "attempts": .integer(Int64(attempts)),
            "last_attempt_at_ms": lastAttemptAtMs.map(JSONValue.integer) ?? .null,
            "next_attempt_at": nextAttemptAtMs.map { .string(RFC3339.utc(milliseconds: $0)) } ?? .null,
            "next_attempt_at_ms": nextAttemptAtMs.map(JSONValue.integer) ?? .null,
            "last_error": lastError.map(JSONValue.string) ?? .null,
        ])
    }

    /// nil when the document is not a queued record.
    public init?(json: JSONValue) {
        guard case .object(let fields) = json, case .string(let id)? = fields["id"],
              case .integer(let firstSeen)? = fields["first_seen_at_ms"],
              case .integer(let attempts)? = fields["attempts"], attempts >= 0 else { return nil }
        self.init(id: id, firstSeenAtMs: firstSeen, attempts: Int(attempts))
        if case .integer(let value)? = fields["last_attempt_at_ms"] { lastAttemptAtMs = value }
        if case .integer(let value)? = fields["next_attempt_at_ms"] { nextAttemptAtMs = value }
        if case .string(let value)? = fields["last_error"] { lastError = value }
    }
}

/// `<state-dir>/tickets/<id>.delivered`: the receiver answered 2xx. Its existence is what
/// counts; the fields are for people.
public struct DeliveredRecord: Equatable, Sendable {
    public var id: String
    public var deliveredAtMs: Int64
    /// Attempts including the one that succeeded.
    public var attempts: Int
    public var httpStatus: Int
    /// The outcome the delivered document had (`pending` when sent past the grace period).
    public var outcome: String
    public var url: String

    public init(id: String, deliveredAtMs: Int64, attempts: Int, httpStatus: Int, outcome: String, url: String) {
        self.id = id
        self.deliveredAtMs = deliveredAtMs
        self.attempts = attempts
        self.httpStatus = httpStatus
        self.outcome = outcome
        self.url = url
    }

    public var jsonValue: JSONValue {
        .object([
            "id": .string(id),
            "delivered_at": .string(RFC3339.utc(milliseconds: deliveredAtMs)),
            "delivered_at_ms": .integer(deliveredAtMs),
            "attempts": .integer(Int64(attempts)),
            "http_status": .integer(Int64(httpStatus)),
            "outcome": .string(outcome),
            "url": .string(url),
        ])
    }
}

/// `<state-dir>/tickets/<id>.lost`: the incident file was pruned from the spool before it was
/// delivered. Written once, when that is first noticed and reported.
public struct LostRecord: Equatable, Sendable {
    public var id: String
    public var noticedAtMs: Int64
    public var attempts: Int
    public var lastError: String?

    public init(id: String, noticedAtMs: Int64, attempts: Int, lastError: String?) {
        self.id = id
        self.noticedAtMs = noticedAtMs
        self.attempts = attempts
        self.lastError = lastError
    }

    public var jsonValue: JSONValue {
        .object([
            "id": .string(id),
            "noticed_at": .string(RFC3339.utc(milliseconds: noticedAtMs)),
            "noticed_at_ms": .integer(noticedAtMs),
            "attempts": .integer(Int64(attempts)),
            "last_error": lastError.map(JSONValue.string) ?? .null,
        ])
    }
}
