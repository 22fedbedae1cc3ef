import LBTestSupport
import Testing

@testable import DNS

/// The server as BIND's `dig` sees it: a real, independent resolver library parsing our wire
/// format. Skipped when dig is not installed, unless peers are required.
@Suite(.serialized) struct DigInteropTests {
    private func withServer(_ body: (Int, String) throws -> Void) async throws {
        guard Peers.available("dig"), let dig = Peers.find("dig") else { return }
        let store = ZoneStore()
        store.replace(ZoneFixtures.exampleOrg())
        let server = DNSServer(
            configuration: DNSServerConfiguration(transferSources: ["127.0.0.1"]), store: store)
        let port = try #require(try await server.start().port)
        do {
            try body(port, dig)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    /// dig's full output for `arguments` against the server.
    private func dig(_ dig: String, _ port: Int, _ arguments: [String]) throws -> String {
        let result = try Peers.run(
            dig, ["@127.0.0.1", "-p", String(port), "+time=3", "+tries=1"] + arguments, timeout: 20)
        #expect(result.status == 0, "dig failed: \(result.errors)")
        return result.output
    }

    /// The lines of one section of dig's output (`ANSWER`, `AUTHORITY`...), without comments.
    private func section(_ name: String, of output: String) -> [String] {
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(where: { $0.hasPrefix(";; \(name) SECTION:") }) else { return [] }
        return Array(lines[(start + 1)...].prefix { !$0.isEmpty }).filter { !$0.hasPrefix(";") }
    }

    @Test func anAddressQuery() async throws {
        try await withServer { port, dig in
            let output = try self.dig(dig, port, ["www.example.org", "A"])
            #expect(output.contains("status: NOERROR"))
            #expect(output.contains(" aa "))
            let answers = section("ANSWER", of: output)
            #expect(answers.count == 3)
            #expect(answers.allSatisfy { $0.contains("\tA\t192.0.2.") })
        }
    }

    @Test func anIPv6Query() async throws {
        try await withServer { port, dig in
            let answers = section("ANSWER", of: try self.dig(dig, port, ["www.example.org", "AAAA"]))
            #expect(answers.count == 1)
            #expect(answers.first?.hasSuffix("2001:db8::1") == true)
        }
    }

    @Test func soaAndNSAtTheApex() async throws {
        try await withServer { port, dig in
            let soa = section("ANSWER", of: try self.dig(dig, port, ["example.org", "SOA"]))
            #expect(soa.count == 1)
            #expect(
                soa.first?.contains("ns1.example.org. hostmaster.example.org. 100 3600 600 86400 300") == true
            )
            let ns = section("ANSWER", of: try self.dig(dig, port, ["example.org", "NS"]))
            #expect(ns.count == 2)
        }
    }

    @Test func nxdomainCarriesTheSOA() async throws {
        try await withServer { port, dig in
            let output = try self.dig(dig, port, ["nothing.example.org", "A"])
            #expect(output.contains("status: NXDOMAIN"))
            let authority = section("AUTHORITY", of: output)
            #expect(authority.count == 1)
            #expect(authority.first?.contains("\t300\tIN\tSOA\t") == true)
        }
    }

    @Test func nodataCarriesTheSOA() async throws {
        try await withServer { port, dig in
            let output = try self.dig(dig, port, ["www.example.org", "TXT"])
            #expect(output.contains("status: NOERROR"))
            #expect(section("ANSWER", of: output).isEmpty)
            #expect(section("AUTHORITY", of: output).first?.contains("SOA") == true)
        }
    }

    @Test func ednsIsEchoed() async throws {
        try await withServer { port, dig in
            let output = try self.dig(dig, port, ["+bufsize=4096", "www.example.org", "A"])
            #expect(output.contains("EDNS: version: 0"))
            #expect(output.contains("udp: 1232"))
        }
    }

    @Test func aLargeSetIsTruncatedOverUDPAndWholeOverTCP() async throws {
        try await withServer { port, dig in
            let udp = try self.dig(dig, port, ["+ignore", "+noedns", "pool.example.org", "A"])
            #expect(udp.contains(" tc"))
            #expect(section("ANSWER", of: udp).count < 200)
            let tcp = try self.dig(dig, port, ["+tcp", "pool.example.org", "A"])
            #expect(!tcp.contains(" tc"))
            #expect(section("ANSWER", of: tcp).count == 200)
        }
    }

    @Test func axfr() async throws {
        try await withServer { port, dig in
            let output = try self.dig(dig, port, ["example.org", "AXFR"])
            let records = output.split(separator: "\n").filter { !$0.hasPrefix(";") && !$0.isEmpty }
            #expect(records.count == ZoneFixtures.exampleOrg().recordsWithoutSOA.count + 2)
            #expect(records.first?.contains("\tSOA\t") == true)
            #expect(records.last?.contains("\tSOA\t") == true)
            #expect(!output.contains("Transfer failed"))
        }
    }
}
