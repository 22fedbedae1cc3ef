import Foundation
import Testing

@testable import LBClientKit

/// Socket tables as a little-endian (x86, arm64) kernel prints them.
enum ProcNetFixtures {
    static let tcp = """
          sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
           0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 20904 1 0000000000000000 100 0 0 10 0
           1: 0100007F:0019 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 21830 1 0000000000000000 100 0 0 10 0
           2: 01000000:1F91 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 21831 1 0000000000000000 100 0 0 10 0
           3: 0F02000A:0016 0202000A:D2B4 01 00000000:00000000 02:00046D2D 00000000     0        0 64012 4 0000000000000000 20 4 29 10 20
           4: 0F02000A:B4D2 5DB8D8AC:0050 01 00000000:00000000 02:00000B2C 00000000  1000        0 64100 2 0000000000000000 20 4 30 10 -1
           5: 0F02000A:1F90 5E0B8FBC:A3C2 06 00000000:00000000 03:00001000 00000000     0        0 0 3 0000000000000000
           6: 0F02000A:A3C3 5E0B8FBC:0BB8 01 00000050:00000000 01:00000014 00000000  1000        0 64200 2 0000000000000000 20 4 30 10 -1

        """

    static let tcp6 = """
          sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
           0: 00000000000000000000000000000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 20906 1 0000000000000000 100 0 0 10 0
           1: 00000000000000000000000001000000:0277 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 19790 1 0000000000000000 100 0 0 10 0
           2: B80D0120000000000000000001000000:01BB 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 19791 1 0000000000000000 100 0 0 10 0
           3: B80D0120000000000000000001000000:E1A2 B80D0120000000000000000002000000:0CEA 01 00000000:00000000 02:00000A00 00000000     0        0 19800 2 0000000000000000 20 4 30 10 -1

        """

    static let udp = """
           sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
          310: 3500007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   101        0 18500 2 0000000000000000 0
          400: 0F02000A:A000 08080808:0035 01 00000000:00000000 00:00000000 00000000  1000        0 18600 2 0000000000000000 0

        """
}

@Suite("DaemonCheck")
struct DaemonCheckTests {
    private func run(
        _ keyword: Keyword = .daemon, _ arguments: String = "",
        tables: [String: String] = [
            "tcp": ProcNetFixtures.tcp, "tcp6": ProcNetFixtures.tcp6, "udp": ProcNetFixtures.udp,
        ]
    ) async throws -> CheckResult {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.makeDirectory("proc/net")
        for (name, contents) in tables { try scratch.write("proc/net/\(name)", contents) }
        let check = try DaemonCheck(line: CheckFixtures.line(keyword, arguments))
        return try await check.run(in: CheckFixtures.context(root: scratch.path))
    }

    @Test func legacyKeywords() async throws {
        #expect(try await run(.sshdaemon) == .pass("tcp port 22 accepts traffic on 0.0.0.0"))
        // golbclient ignored any JSON after a legacy keyword; so do we.
        #expect(try await run(.sshdaemon, #"{"port": 9999}"#).passed)
        // Port 80 only appears as the remote port of an outgoing connection.
        #expect(try await run(.webdaemon) == .fail("nothing accepts traffic on tcp port 80 (IPv4, IPv6)"))
        #expect(try await run(.ftpdaemon).passed == false)
        #expect(try await run(.gridftpdaemon).passed == false)
    }

    @Test func legacySpecifications() throws {
        for (keyword, port) in [
            (Keyword.sshdaemon, 22), (.webdaemon, 80), (.ftpdaemon, 21), (.gridftpdaemon, 2811),
        ] {
            let check = try DaemonCheck(line: CheckFixtures.line(keyword))
            #expect(check.specification == DaemonSpecification(ports: [UInt16(port)], transports: [.tcp]))
        }
    }

    @Test func onlyListeningTCPSocketsCount() async throws {
        // 8080 is in TIME_WAIT, 3000 (0BB8) only a remote port with a matching tx queue.
        #expect(try await run(.daemon, #"{"port": 8080}"#).passed == false)
        #expect(try await run(.daemon, #"{"port": 3000}"#).passed == false)
        // 0xA3C3 is the local port of an ESTABLISHED connection, not a listener.
        #expect(try await run(.daemon, #"{"port": 41923, "protocol": "tcp"}"#).passed == false)
        #expect(try await run(.daemon, #"{"port": 25}"#) == .pass("tcp port 25 accepts traffic on 127.0.0.1"))
    }

    @Test func hostsMatchTheLocalAddressExactly() async throws {
        #expect(try await run(.daemon, #"{"port": 25, "host": "127.0.0.1"}"#).passed)
        #expect(try await run(.daemon, #"{"port": 25, "host": "0.0.0.0"}"#).passed == false)
        #expect(try await run(.daemon, #"{"port": 22, "host": "0.0.0.0", "ip": "ipv4"}"#).passed)
        #expect(try await run(.daemon, #"{"port": 22, "host": "10.0.2.15"}"#).passed == false)
        // An address with leading zero bytes (golbclient encoded it as 00000001).
        #expect(
            try await run(.daemon, #"{"port": 8081, "host": "0.0.0.1"}"#)
                == .pass("tcp port 8081 accepts traffic on 0.0.0.1"))
    }

    @Test func ipv6() async throws {
        #expect(
            try await run(.daemon, #"{"port": 631, "host": "::1"}"#)
                == .pass("tcp port 631 accepts traffic on ::1"))
        #expect(
            try await run(.daemon, #"{"port": 443, "host": "2001:db8::1"}"#)
                == .pass("tcp port 443 accepts traffic on 2001:db8::1"))
        #expect(try await run(.daemon, #"{"port": 443, "host": "2001:db8::2"}"#).passed == false)
        #expect(try await run(.daemon, #"{"port": 443, "ip": "ipv4"}"#).passed == false)
        #expect(try await run(.daemon, #"{"port": 443, "ip": "6"}"#).passed)
        #expect(try await run(.daemon, #"{"port": 22, "host": "::"}"#).passed)
        // Bound to ::1 only: the wildcard is not that.
        #expect(try await run(.daemon, #"{"port": 631, "host": "::"}"#).passed == false)
        // 0xE1A2 = 57762 is an established connection from 2001:db8::1.
        #expect(try await run(.daemon, #"{"port": 57762}"#).passed == false)
    }

    @Test func udpSocketsCountInAnyState() async throws {
        #expect(
            try await run(.daemon, #"{"port": 53, "protocol": "udp"}"#)
                == .pass("udp port 53 accepts traffic on 127.0.0.53"))
        #expect(try await run(.daemon, #"{"port": 53, "protocol": "tcp"}"#).passed == false)
        #expect(try await run(.daemon, #"{"port": "53"}"#).passed)
        #expect(try await run(.daemon, #"{"port": 40960, "protocol": "udp"}"#).passed)
    }

    @Test func severalPortsAnyOneSuffices() async throws {
        #expect(try await run(.daemon, #"{"port": [80, 443]}"#).passed)
        #expect(try await run(.daemon, #"{"port": [80, 8080]}"#).passed == false)
    }

    @Test func missingTablesHaveNoSockets() async throws {
        // No tcp6 (IPv6 disabled): the IPv4 table still decides.
        let tcpOnly = ["tcp": ProcNetFixtures.tcp]
        #expect(try await run(.daemon, #"{"port": 22}"#, tables: tcpOnly).passed)
        #expect(try await run(.daemon, #"{"port": 443}"#, tables: tcpOnly).passed == false)
        #expect(try await run(.daemon, #"{"port": 443}"#, tables: ["tcp6": ProcNetFixtures.tcp6]).passed)
    }

    @Test func noReadableTableIsAnError() async throws {
        await #expect(throws: CheckError.self) { _ = try await run(.daemon, #"{"port": 22}"#, tables: [:]) }
        // Only the tables wanted count: UDP ones are absent here.
        await #expect(throws: CheckError.self) {
            _ = try await run(
                .daemon, #"{"port": 53, "protocol": "udp"}"#, tables: ["tcp": ProcNetFixtures.tcp])
        }
    }
}
