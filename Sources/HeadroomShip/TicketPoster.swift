import CCurl
import HeadroomCore

/// One POST of one incident document.
public struct TicketRequest: Equatable, Sendable {
    public var url: String
    public var incidentId: String
    /// What the receiver de-duplicates on: `<host>/<id>` (see `TicketRequest.idempotencyKey`).
    public var idempotencyKey: String
    /// The incident file's bytes, sent as they are.
    public var body: [UInt8]
    /// 1 for the first attempt.
    public var attempt: Int
    /// `tickets.headers`, in the config's order.
    public var extraHeaders: [TicketHeader]
    public var timeoutSeconds: Double

    public init(url: String, incidentId: String, host: String?, body: [UInt8], attempt: Int,
                extraHeaders: [TicketHeader], timeoutSeconds: Double) {
        self.url = url
        self.incidentId = incidentId
        idempotencyKey = Self.idempotencyKey(host: host, id: incidentId)
        self.body = body
        self.attempt = attempt
        self.extraHeaders = extraHeaders
        self.timeoutSeconds = timeoutSeconds
    }

    /// `<host>/<id>`: an id is unique on its host (Unix milliseconds and a sequence number) but
    /// two VMs of a fleet can produce the same one; host names are unique in the fleet. The
    /// incident id alone when the file names no host. Both are in the body too (`host`, `id`).
    public static func idempotencyKey(host: String?, id: String) -> String {
        guard let host, !host.isEmpty, !host.contains(where: { $0 == "\n" || $0 == "\r" }) else { return id }
        return host + "/" + id
    }

    /// The request's header lines. The configured headers may replace Content-Type and
    /// User-Agent; `Idempotency-Key` is always the incident's key (a configured one is dropped),
    /// since the receiver de-duplicates on it.
    public var headerLines: [String] {
        func configured(_ name: String) -> Bool {
            extraHeaders.contains { $0.name.lowercased() == name.lowercased() }
        }
        var lines: [String] = []
        if !configured("Content-Type") { lines.append("Content-Type: application/json") }
        if !configured("User-Agent") { lines.append("User-Agent: headroom-ship") }
        lines.append("Idempotency-Key: \(idempotencyKey)")
        lines.append("X-Headroom-Attempt: \(attempt)")
        // libcurl would otherwise wait for "100 Continue" before sending a larger body.
        lines.append("Expect:")
        for header in extraHeaders {
            let name = header.name.lowercased()
            guard name != "idempotency-key", name != "expect", name != "x-headroom-attempt" else { continue }
            // "Name;" is libcurl's way of sending a header with an empty value ("Name:" removes it).
            lines.append(header.value.isEmpty ? "\(header.name);" : "\(header.name): \(header.value)")
        }
        return lines
    }
}

/// Sends one request and says what came of it. `CurlPoster` in production; tests may use another.
public protocol TicketPoster {
    func post(_ request: TicketRequest) -> PostResult
}

/// HTTP(S) through libcurl: no redirects, TLS verified with the system's CA store, the
/// configured timeout for the whole exchange.
public struct CurlPoster: TicketPoster {
    public init() {
        _ = CurlGlobal.initialized
    }

    public func post(_ request: TicketRequest) -> PostResult {
        guard let curl = curl_easy_init() else { return .transportFailure("libcurl could not be initialised") }
        defer { curl_easy_cleanup(curl) }
        var headers: UnsafeMutablePointer<curl_slist>?
        for line in request.headerLines {
            guard let appended = curl_slist_append(headers, line) else {
                curl_slist_free_all(headers)
                return .transportFailure("libcurl: out of memory for the headers")
            }
            headers = appended
        }
        defer { curl_slist_free_all(headers) }

        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        var answer = headroom_curl_body()
        return errorBuffer.withUnsafeMutableBufferPointer { errorText -> PostResult in
            withUnsafeMutablePointer(to: &answer) { answerPointer -> PostResult in
                let code = Self.configure(curl, for: request, headers: headers, errorText: errorText.baseAddress,
                                          answer: answerPointer)
                guard code == CURLE_OK else {
                    return .transportFailure("libcurl refused an option: \(String(cString: curl_easy_strerror(code)))")
                }
                let performed = curl_easy_perform(curl)
                guard performed == CURLE_OK else {
                    let detail = String(cString: errorText.baseAddress!)
                    return .transportFailure(detail.isEmpty ? String(cString: curl_easy_strerror(performed)) : detail)
                }
                return Self.response(of: curl, answer: answerPointer.pointee)
            }
        }
    }

    /// Sets every option of the exchange; the first error libcurl gives, or CURLE_OK.
    private static func configure(_ curl: UnsafeMutableRawPointer, for request: TicketRequest,
                                  headers: UnsafeMutablePointer<curl_slist>?,
                                  errorText: UnsafeMutablePointer<CChar>?,
                                  answer: UnsafeMutablePointer<headroom_curl_body>) -> CURLcode {
        var code = CURLE_OK
        func set(_ result: CURLcode) { if code == CURLE_OK { code = result } }
        set(headroom_curl_set_pointer(curl, CURLOPT_ERRORBUFFER, errorText))
        set(headroom_curl_set_pointer(curl, CURLOPT_URL, request.url))
        set(headroom_curl_set_pointer(curl, CURLOPT_PROTOCOLS_STR, "http,https"))
        set(headroom_curl_set_long(curl, CURLOPT_FOLLOWLOCATION, 0))
        set(headroom_curl_set_long(curl, CURLOPT_NOSIGNAL, 1))
        set(headroom_curl_set_long(curl, CURLOPT_TIMEOUT_MS, Int(request.timeoutSeconds * 1000)))
        set(headroom_curl_set_long(curl, CURLOPT_POST, 1))
        set(headroom_curl_set_offset(curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)))
        // COPYPOSTFIELDS: libcurl keeps its own copy of the body.
        request.body.withUnsafeBytes { bytes in
            set(headroom_curl_set_pointer(curl, CURLOPT_COPYPOSTFIELDS, bytes.baseAddress))
        }
        set(headroom_curl_set_pointer(curl, CURLOPT_HTTPHEADER, headers))
        set(headroom_curl_keep_body(curl, answer))
        return code
    }

    /// The status, Retry-After and first bytes of a completed exchange.
    private static func response(of curl: UnsafeMutableRawPointer, answer: headroom_curl_body) -> PostResult {
        var status = 0
        _ = headroom_curl_get_long(curl, CURLINFO_RESPONSE_CODE, &status)
        var retryAfter: curl_off_t = 0
        let hasRetryAfter = headroom_curl_get_offset(curl, CURLINFO_RETRY_AFTER, &retryAfter) == CURLE_OK
            && retryAfter > 0
        let head = withUnsafeBytes(of: answer.bytes) { raw in
            Array(raw.prefix(answer.length))
        }
        return .response(status: status, retryAfterSeconds: hasRetryAfter ? Double(retryAfter) : nil,
                         bodyHead: printable(head))
    }

    /// The answer's first bytes on one line, for a log message.
    static func printable(_ bytes: [UInt8]) -> String {
        var text = String(decoding: bytes.prefix(200), as: UTF8.self)
        text = String(text.map { $0.isNewline || $0 == "\t" ? " " : $0 })
        while text.hasSuffix(" ") { text.removeLast() }
        return bytes.count > 200 ? text + "..." : text
    }
}

private enum CurlGlobal {
    /// curl_global_init, once per process, before any handle.
    static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK
}
