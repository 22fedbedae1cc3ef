import Foundation
import LBCore
import Testing

@testable import LBClientKit

@Suite("DaemonSpecification")
struct DaemonSpecificationTests {
    private func parse(_ arguments: String) throws -> DaemonSpecification {
        try DaemonSpecification(line: CheckFixtures.line(.daemon, arguments))
    }

    @Test func minimalObject() throws {
        let specification = try parse(#"{"port": 22}"#)
        #expect(specification.ports == [22])
        #expect(specification.transports == [.tcp, .udp])
        #expect(specification.families == [.ipv4, .ipv6])
        #expect(specification.hosts == nil)
        #expect(
            specification.tables.map { "\($0.transport)/\($0.family)" } == [
                "tcp/ipv4", "tcp/ipv6", "udp/ipv4", "udp/ipv6",
            ])
    }

    @Test func everyKeyScalarOrArrayAnyCase() throws {
        let specification = try parse(
            #"{"PORT": ["22", 80.9], "Protocol": ["tcp"], "iP": ["4", "ipv6"], "Host": ["127.0.0.1", "::1"]}"#
        )
        #expect(specification.ports == [22, 80])
        #expect(specification.transports == [.tcp])
        #expect(specification.families == [.ipv4, .ipv6])
        #expect(specification.hosts == [[127, 0, 0, 1], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]])
        #expect(specification.summary == "tcp ports 22, 80 (IPv4, IPv6) on 127.0.0.1, ::1")
    }

    @Test func hostsSelectTheTables() throws {
        let specification = try parse(#"{"port": 22, "host": "10.0.0.1"}"#)
        #expect(specification.tables.map { "\($0.transport)/\($0.family)" } == ["tcp/ipv4", "udp/ipv4"])
        #expect(try parse(#"{"port": 22, "ip": "6", "protocol": "udp"}"#).tables.count == 1)
    }

    @Test func textAroundTheObjectIsIgnored() throws {
        #expect(try parse(#"ssh: {"port": 22, "note": "a } in a string"} # comment {"#).ports == [22])
        #expect(try parse(#"{"port": 22, "note": {"nested": 1}}"#).ignoredKeys == ["note"])
        #expect(try parse(#"{"port": 22, "comment": "x"}"#).ignoredKeys == ["comment"])
    }

    @Test(
        arguments: [
            ("", "needs a JSON object", 0),
            ("port 22", "needs a JSON object", 0),
            (#"x {"port": 22"#, "not closed", 2),
            ("{}", "a port is required", 0),
            (#"{"protocol": "tcp"}"#, "a port is required", 0),
            (#"{"port": }"#, "invalid JSON", 0),
            (#"{"port": 0}"#, "port must be 1 to 65535 (a number or a decimal string), not 0", 1),
            (#"{"port": 65536}"#, "not 65536", 1),
            (#"{"port": -22}"#, "not -22", 1),
            (#"{"port": 0.5}"#, "not 0.5", 1),
            (#"{"port": "0x16"}"#, #"not "0x16""#, 1),
            (#"{"port": " 22"}"#, #"not " 22""#, 1),
            (#"{"port": true}"#, "not true", 1),
            (#"{"port": null}"#, "not null", 1),
            (#"{"port": {"a": 1}}"#, "not an object", 1),
            (#"{"port": [22, [23]]}"#, "not an array", 1),
            (#"{"port": []}"#, "port lists no value", 1),
            (#"{"port": 22, "protocol": "TCP"}"#, #"protocol must be "tcp" or "udp", not "TCP""#, 13),
            (#"{"port": 22, "protocol": " tcp"}"#, #"not " tcp""#, 13),
            (#"{"port": 22, "protocol": 6}"#, "not 6", 13),
            (#"{"port": 22, "protocol": []}"#, "protocol lists no value", 13),
            (#"{"port": 22, "ip": "IPV4"}"#, #"ip must be "ipv4", "4", "ipv6" or "6", not "IPV4""#, 13),
            (#"{"port": 22, "ip": 4}"#, "not 4", 13),
            (#"{"port": 22, "host": "127.0.0"}"#, #"host must be an IP address, not "127.0.0""#, 13),
            (#"{"port": 22, "host": "another_name"}"#, #"not "another_name""#, 13),
            (#"{"port": 22, "host": 127}"#, "not 127", 13),
            (
                #"{"port": 22, "ip": "ipv6", "host": "127.0.0.1"}"#,
                "host 127.0.0.1 is an IPv4 address but ip excludes IPv4", 27
            ),
            (
                #"{"port": 22, "ip": "4", "host": ["::1"]}"#,
                "host ::1 is an IPv6 address but ip excludes IPv6", 24
            ),
            (#"{"port": 22, "PORT": 23}"#, "the key port is given twice", 13),
        ])
    func validationErrors(arguments: String, message: String, offset: Int) throws {
        let error = #expect(throws: ClientConfigError.self) { _ = try parse(arguments) }
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "no error")")
        #expect(error?.column == CheckFixtures.argumentsColumn + offset, "\(error?.message ?? "")")
        #expect(error?.file == "t.conf")
        #expect(error?.line == 1)
    }

    @Test func acceptsOnlyWhatIsAsked() {
        let specification = DaemonSpecification(ports: [22], transports: [.tcp], hosts: [[127, 0, 0, 1]])
        let listening = ListeningSocket(transport: .tcp, address: [127, 0, 0, 1], port: 22, state: 0x0A)
        #expect(specification.accepts(listening))
        var other = listening
        other.state = 0x01
        #expect(!specification.accepts(other))
        other = listening
        other.port = 23
        #expect(!specification.accepts(other))
        other = listening
        other.address = [127, 0, 0, 2]
        #expect(!specification.accepts(other))
        other = listening
        other.transport = .udp
        #expect(!specification.accepts(other))
    }

    /// Mutated specifications either parse or give a located error; they never trap.
    @Test func mutatedObjectsNeverTrap() {
        var generator = SeededRandomNumberGenerator(seed: 0xDAE)
        let seeds = [
            #"{"port": [22, "80"], "protocol": "tcp", "ip": ["4", "ipv6"], "host": ["127.0.0.1", "::1"]}"#,
            #"{"PORT": 65535, "host": "0.0.0.0"}"#,
        ]
        let alphabet = Array(#"{}[]":,0123456789.-eE tcpudipv46 \"#.utf8)
        for round in 0..<2000 {
            var bytes = Array(seeds[round % seeds.count].utf8)
            for _ in 0..<(1 + generator.below(4)) {
                let position = generator.below(bytes.count + 1)
                switch generator.below(3) {
                case 0 where position < bytes.count: bytes.remove(at: position)
                case 1 where position < bytes.count:
                    bytes[position] = alphabet[generator.below(alphabet.count)]
                default: bytes.insert(alphabet[generator.below(alphabet.count)], at: position)
                }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            do {
                let specification = try parse(text)
                #expect(!specification.ports.isEmpty)
                #expect(specification.ports.allSatisfy { $0 >= 1 })
            } catch let error as ClientConfigError {
                #expect(error.column >= CheckFixtures.argumentsColumn)
            } catch {
                Issue.record("unexpected error \(error) for \(text)")
            }
        }
    }
}
