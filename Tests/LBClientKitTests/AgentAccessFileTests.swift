import SNMP
import Testing

@testable import LBClientKit

@Suite("lbclient agent access file and snmpd.conf lines")
struct AgentAccessFileTests {
    @Test func readsCommunitiesUsersAndEngineID() throws {
        let text = """
            # access for lbd
            rocommunity public 10.0.0.0/8
            createUser loadbalancing MD5 "secret password"
            createUser monitor SHA-256 authpass123 AES privpass123
            createUser both SHA authpass123 AES
            rouser loadbalancing
            rouser monitor priv
            rouser both noauth
            engineID 0x8000006004deadbeef
            """
        let file = try AgentAccessFile.parse(text, path: "snmp.conf").get()
        #expect(file.communityNames == ["public"])
        #expect(file.communities.map(\.source.description) == ["10.0.0.0/8"])
        #expect(file.userGrants.map(\.minimumLevel) == [.authNoPriv, .authPriv, .noAuthNoPriv])
        #expect(file.users.map(\.name) == ["loadbalancing", "monitor", "both"])
        #expect(file.users[0].authentication == .init(.md5, password: "secret password"))
        #expect(file.users[0].privacy == nil)
        #expect(file.users[1].privacy == .init(.aes128, password: "privpass123"))
        #expect(file.users[2].privacy == .init(.aes128, password: "authpass123"))
        #expect(file.engineID == [0x80, 0x00, 0x00, 0x60, 0x04, 0xde, 0xad, 0xbe, 0xef])
    }

    @Test func reportsEveryProblemWithItsLine() {
        let text = """
            rocommunity
            createUser x MD5 short
            createUser y BOGUS longenough
            createUser z SHA longenough DES privpass123
            engineID 0x12
            listen 161
            createUser q MD5 "unclosed
            """
        guard case .failure(let errors) = AgentAccessFile.parse(text, path: "snmp.conf") else {
            Issue.record("expected errors")
            return
        }
        #expect(errors.errors.map(\.line) == [1, 2, 3, 4, 5, 6, 7])
        #expect(errors.errors[6].message == "a double quote is not closed")
        #expect(errors.errors[1].message.contains("shorter than 8"))
        #expect(errors.errors[3].message.contains("unknown privacy protocol `DES`"))
    }

    @Test func nobodyAllowedIsAnError() {
        guard case .failure(let errors) = AgentAccessFile.parse("# empty\n", path: "snmp.conf") else {
            Issue.record("expected an error")
            return
        }
        #expect(errors.description.contains("nobody could query the agent"))
    }

    @Test func snmpdLinesForPassPersistAndPass() {
        let persist = SnmpdConfSnippet(command: "/usr/sbin/lbclient --cm /etc/lb", password: "my password")
        #expect(
            persist.text.contains(
                "pass_persist .1.3.6.1.4.1.96.255.1 /usr/sbin/lbclient --cm /etc/lb --pass-persist\n"))
        #expect(persist.text.contains("createUser loadbalancing MD5 \"my password\"\n"))
        #expect(persist.text.contains("rouser loadbalancing auth .1.3.6.1.4.1.96.255.1\n"))
        let pass = SnmpdConfSnippet(mode: .pass, community: "public", communitySource: "10.0.0.0/8")
        #expect(pass.text.contains("\npass .1.3.6.1.4.1.96.255.1 /usr/sbin/lbclient\n"))
        #expect(pass.text.contains("rocommunity public 10.0.0.0/8 .1.3.6.1.4.1.96.255.1\n"))
        #expect(pass.text.contains("CHANGE-ME"))
    }

    @Test func answersBecomeSNMPValues() {
        #expect(ClientAgent.value(of: .integer(250)) == .integer(250))
        #expect(ClientAgent.value(of: .integer(Int(Int32.max) + 10)) == .integer(Int32.max))
        #expect(
            ClientAgent.value(of: .perAlias([("a", 1), ("b", -3)])) == .octetString(Array("a=1,b=-3".utf8)))
        #expect(ClientAgent.value(of: nil) == .noSuchInstance)
    }
}
