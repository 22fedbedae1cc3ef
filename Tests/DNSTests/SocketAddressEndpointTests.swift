import DNS
import NIOCore
import Testing

@Suite struct SocketAddressEndpointTests {
    @Test func ipv4IsAddressColonPort() throws {
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: 5353)
        #expect(address.endpointDescription == "127.0.0.1:5353")
        // NIO's own form, which messages must not carry.
        #expect("\(address)".contains("[IPv4]"))
    }

    @Test func ipv6IsBracketedAddressColonPort() throws {
        #expect(try SocketAddress(ipAddress: "::1", port: 5353).endpointDescription == "[::1]:5353")
        #expect(
            try SocketAddress(ipAddress: "2001:db8::7", port: 53).endpointDescription == "[2001:db8::7]:53")
    }

    @Test func aUnixSocketIsItsPath() throws {
        #expect(try SocketAddress(unixDomainSocketPath: "/run/x.sock").endpointDescription == "/run/x.sock")
    }
}
