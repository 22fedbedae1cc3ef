import LBCore
import LBDaemonKit
import NIOCore
import Testing

/// `NodeAddressBook.nodes(at:)`: the push path's map from a notification's source to its nodes.
@Suite struct NodeAddressBookSourceTests {
    @Test func anAddressFindsEveryNodeResolvedToItAndNoOther() async throws {
        let book = NodeAddressBook(
            port: 161,
            resolve: { node, port in
                switch node {
                case "web1", "web1-alias": [try SocketAddress(ipAddress: "192.0.2.1", port: port)]
                case "web2":
                    [
                        try SocketAddress(ipAddress: "192.0.2.2", port: port),
                        try SocketAddress(ipAddress: "2001:db8::2", port: port),
                    ]
                default: throw FakeResolutionError()
                }
            })
        #expect(book.nodes(at: NodeAddress("192.0.2.1")!) == [], "nothing is known before resolving")
        for node in ["web1", "web1-alias", "web2", "missing"] { _ = await book.addresses(of: node) }
        #expect(book.nodes(at: NodeAddress("192.0.2.1")!) == ["web1", "web1-alias"])
        #expect(book.nodes(at: NodeAddress("2001:db8::2")!) == ["web2"])
        #expect(book.nodes(at: NodeAddress("192.0.2.99")!) == [])
        book.keepOnly(["web2"])
        #expect(book.nodes(at: NodeAddress("192.0.2.1")!) == [], "a node no longer a member is forgotten")
    }
}
