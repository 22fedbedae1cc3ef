import NIOCore
import SNMP
import Synchronization
import Testing

@testable import LBClientKit

/// The agent's access file enforces or refuses every restriction it states, and reads words as
/// net-snmp does.
@Suite("lbclient agent access grants")
struct AgentAccessGrantTests {
    private func errors(_ text: String) -> [ClientConfigError] {
        guard case .failure(let errors) = AgentAccessFile.parse(text, path: "snmp.conf") else { return [] }
        return errors.errors
    }

    @Test func communitiesKeepTheirSourceAndFamily() throws {
        let file = try AgentAccessFile.parse(
            """
            rocommunity public 10.0.0.0/8 .1.3.6.1.4.1.96.255.1
            rocommunity public 192.0.2.7
            rocommunity open
            rocommunity6 public fd00::/8 .1.3.6.1.4.1.96
            rocommunity6 open default
            """, path: "snmp.conf"
        ).get()
        #expect(file.communityNames == ["public", "open"])
        #expect(
            file.communities.map { "\($0.community) \($0.source.family.rawValue) \($0.source)" } == [
                "public ipv4 10.0.0.0/8", "public ipv4 192.0.2.7", "open ipv4 default (IPv4)",
                "public ipv6 fd00:0:0:0:0:0:0:0/8", "open ipv6 default (IPv6)",
            ])
    }

    @Test func restrictionsTheAgentCannotEnforceAreErrorsWithTheirLine() {
        let found = errors(
            """
            rocommunity public 10.1.0.0/8
            rocommunity public ::1
            rocommunity6 public 10.0.0.1
            rocommunity public lb.example.org
            rocommunity public default .1.3.6.1.2.1
            rocommunity public default -V systemonly
            rocommunity -Cn context public
            rouser -s usm loadbalancing
            rouser loadbalancing authpriv
            rouser loadbalancing auth .1.3.6.1.2.1.1
            rwcommunity private
            rocommunity public default .1.3.6.1.4.1.96.255.1 extra
            createUser -e 0x800000 loadbalancing MD5 password123
            createUser loadbalancing MD5 password123
            rouser loadbalancing
            """)
        #expect(found.map(\.line) == Array(1...13))
        #expect(found[0].message.contains("write 10.0.0.0/8"))
        #expect(found[1].message.contains("use rocommunity6 for IPv6"))
        #expect(found[4].message.contains("does not enclose .1.3.6.1.4.1.96.255.1"))
        #expect(found[8].message.contains("unknown security level `authpriv`"))
        #expect(found[10].message.contains("read-only"))
        #expect(found.allSatisfy { $0.description.hasPrefix("snmp.conf:\($0.line): ") })
    }

    @Test func usersAndTheirGrantsMustFitTogether() {
        let found = errors(
            """
            createUser md5only MD5 password123
            rouser md5only priv
            createUser nobody SHA password123 AES
            rouser ghost
            createUser open
            rouser open
            """)
        #expect(found.map(\.line) == [2, 3, 4, 6])
        #expect(
            found[0].message.contains(
                "rouser md5only requires priv, but createUser md5only gives it no privacy"))
        #expect(found[1].message.contains("add `rouser nobody priv`"))
        #expect(found[2].message.contains("no `createUser ghost"))
        #expect(found[3].message.contains("gives it no authentication"))
        // A user may read below what its keys allow when its grant says so.
        #expect(
            errors(
                "createUser open\nrouser open noauth\ncreateUser both SHA password123 AES\nrouser both auth\n"
            ).isEmpty)
    }

    @Test func createUserIsReadAsNetSnmpReadsIt() throws {
        let file = try AgentAccessFile.parse(
            #"""
            createUser a MD5 "quote\"back\\slash blank"
            createUser b MD5 'single "quoted" pass'
            createUser c MD5 un\ quoted\\x#y
            createUser d MD5 mid"quote'pass
            rouser a
            rouser b
            rouser c
            rouser d   # a comment after the words
            """#, path: "snmp.conf"
        ).get()
        #expect(
            file.users.map { $0.authentication?.password } == [
                #"quote"back\slash blank"#, #"single "quoted" pass"#, #"un quoted\x#y"#, #"mid"quote'pass"#,
            ])
    }

    @Test func quotedValuesReadBackUnchanged() throws {
        let nasty = [
            "plain-password", "with blank", #"a"b\c d'e #f"#, "#leading-hash", "'leading-single", "tab\there",
            #"trailing\"#, "", "ünïcödé pässwörd",
        ]
        for value in nasty {
            let written = try #require(SnmpdConfWords.quoted(value))
            let read = try SnmpdConfWords.split(Substring("createUser u MD5 \(written) AES")).get()
            #expect(read == ["createUser", "u", "MD5", value, "AES"], "\(value) was written as \(written)")
        }
        #expect(SnmpdConfWords.quoted("line\nend") == nil)
        #expect(SnmpdConfSnippet.problem(with: "bell\u{07}") != nil)
        let snippet = SnmpdConfSnippet(password: #"pa"ss\word 1"#, community: "pub lic")
        #expect(snippet.text.contains(#"createUser loadbalancing MD5 "pa\"ss\\word 1""#))
        #expect(snippet.text.contains(#"rocommunity "pub lic" default .1.3.6.1.4.1.96.255.1"#))
    }

    @Test func refusalsAreLoggedOncePerSourcePerInterval() {
        final class Lines: Sendable {
            let lines = Mutex<[String]>([])
            let now = Mutex(ContinuousClock.now)
        }
        let state = Lines()
        let start = state.now.withLock { $0 }
        let log = RefusalLog(
            interval: .seconds(60), maximumSources: 2, now: { state.now.withLock { $0 } },
            emit: { line in state.lines.withLock { $0.append(line) } })
        func refuse(_ source: String) throws {
            log.record(
                SNMPAgentRefusal(
                    source: try SocketAddress(ipAddress: source, port: 1), reason: .unknownCommunity))
        }
        func advance(_ seconds: Int64) { state.now.withLock { $0 = start.advanced(by: .seconds(seconds)) } }
        do {
            for _ in 0..<1000 { try refuse("127.0.0.1") }
            #expect(state.lines.withLock { $0.count } == 1)
            try refuse("127.0.0.2")
            try refuse("127.0.0.3")  // the table is full: counted, not logged
            #expect(state.lines.withLock { $0.count } == 2)
            advance(61)
            try refuse("127.0.0.1")
            let lines = state.lines.withLock { $0 }
            #expect(lines.count == 3)
            #expect(lines[0] == "refused a v1/v2c request from 127.0.0.1: unknown community")
            #expect(lines[2].contains("and 999 more from this address"))
            try refuse("127.0.0.4")
            #expect(state.lines.withLock { $0.last ?? "" }.contains("1 more refusals from other addresses"))
        } catch {
            Issue.record("\(error)")
        }
    }
}
