import LBCore
import LBDaemonKit
import NIOCore
import Testing

/// A resolved socket address becomes a `NodeAddress` from its bytes, once, with no text between.
@Suite struct NodeAddressSocketTests {
    @Test(arguments: [
        "127.0.0.1", "192.0.2.255", "0.0.0.0", "::1", "2001:db8::7", "fe80::1:2", "::ffff:192.0.2.1",
    ])
    func theAddressIsTheSameAsParsingItsText(text: String) throws {
        let socket = try SocketAddress(ipAddress: text, port: 161)
        #expect(NodeAddress(socket) == NodeAddress(text))
        #expect(PolledAddress(socket)?.node == NodeAddress(text))
        #expect(PolledAddress(socket)?.socket == socket)
    }

    @Test func aUnixSocketHasNoNodeAddress() throws {
        let socket = try SocketAddress(unixDomainSocketPath: "/run/x.sock")
        #expect(NodeAddress(socket) == nil)
        #expect(PolledAddress(socket) == nil)
    }
}
