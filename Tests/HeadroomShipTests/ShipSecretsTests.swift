import Foundation
import HeadroomCore
import HeadroomShip
import Testing

@Suite("webhook secrets: headers_file, credentials, plain HTTP")
struct ShipSecretsTests {
    @Test("a relative headers_file is read from $CREDENTIALS_DIRECTORY and its header is sent")
    func credentialsDirectory() throws {
        let fixture = try ShipFixture()
        try fixture.writeIncident("c1", outcome: "recovered", startedAtMs: ShipFixture.nowMs() - 60_000)
        let credentials = fixture.path + "/credentials"
        try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: true)
        try Data("# the webhook's token\nAuthorization: Bearer from-credential\n".utf8)
            .write(to: URL(fileURLWithPath: credentials + "/headroom-webhook"))
        let server = try TicketServer(directory: fixture.path, record: fixture.record)
        defer { server.stop() }
        try fixture.writeConfig(url: server.url, headers: ["Authorization": "Bearer from-config"],
                                headersFile: "headroom-webhook", allowInsecureHTTP: true)
        let run = try fixture.ship(environment: ["CREDENTIALS_DIRECTORY": credentials])
        #expect(run.code == 0, "\(run.stderr)")
        let requests = try TicketServer.requests(in: fixture.record)
        #expect(requests.map { $0["authorization"] as? String } == ["Bearer from-credential"])

        let unset = try fixture.ship(environment: ["CREDENTIALS_DIRECTORY": ""])
        #expect(unset.code == 2)
        #expect(unset.stderr.contains("$CREDENTIALS_DIRECTORY is not set"), "\(unset.stderr)")
    }

    @Test("an Authorization header over http:// is refused unless tickets.allow_insecure_http; nothing is sent")
    func plainHTTPRefused() throws {
        let fixture = try ShipFixture()
        try fixture.writeIncident("h1", outcome: "recovered", startedAtMs: ShipFixture.nowMs() - 60_000)
        let server = try TicketServer(directory: fixture.path, record: fixture.record)
        defer { server.stop() }
        try fixture.writeConfig(url: server.url, headers: ["Authorization": "Bearer t"])
        let refused = try fixture.ship()
        #expect(refused.code == 2)
        #expect(refused.stderr.contains("tickets.allow_insecure_http"), "\(refused.stderr)")
        #expect(try TicketServer.requests(in: fixture.record).isEmpty)
        try fixture.writeConfig(url: server.url, headers: ["X-Team": "ops"])
        #expect(try fixture.ship().code == 0)
    }

    @Test("warnings for world-readable files holding headers; file lines override config; errors name file:line")
    func headersFileParsing() throws {
        let fixture = try ShipFixture()
        let file = fixture.path + "/headers"
        try Data("Authorization:   Bearer f  \r\n\nX-Extra: 1\n".utf8).write(to: URL(fileURLWithPath: file))
        chmod(file, 0o644)
        chmod(fixture.path + "/config.json", 0o644)
        try Data("{}".utf8).write(to: URL(fileURLWithPath: fixture.config))
        chmod(fixture.config, 0o644)
        var settings = TicketSettings()
        settings.headers = [TicketHeader(name: "authorization", value: "Bearer c"), TicketHeader(name: "X-A", value: "a")]
        settings.headersFile = file
        let result = try TicketSecrets.headers(url: "https://t.example/", settings: settings,
                                               configFile: fixture.config, credentialsDirectory: nil)
        #expect(result.headers == [TicketHeader(name: "X-A", value: "a"),
                                   TicketHeader(name: "Authorization", value: "Bearer f"),
                                   TicketHeader(name: "X-Extra", value: "1")])
        #expect(result.warnings.count == 2)
        #expect(result.warnings.first?.contains("holds tickets.headers and is readable by every user") == true)
        chmod(file, 0o600)
        chmod(fixture.config, 0o640)
        #expect(try TicketSecrets.headers(url: "https://t.example/", settings: settings, configFile: fixture.config,
                                          credentialsDirectory: nil).warnings.isEmpty)

        try Data("X-Ok: 1\nno colon here\n".utf8).write(to: URL(fileURLWithPath: file))
        #expect { try TicketSecrets.headers(url: "https://t.example/", settings: settings, configFile: fixture.config,
                                            credentialsDirectory: nil) }
            throws: { "\($0)" == "\(file):2: expected 'Name: value'" }
        settings.headersFile = "../etc/shadow"
        #expect { try TicketSecrets.headers(url: "https://t.example/", settings: settings, configFile: fixture.config,
                                            credentialsDirectory: "/run/credentials/x") }
            throws: { "\($0)".contains("'..' is not allowed") }
    }
}
