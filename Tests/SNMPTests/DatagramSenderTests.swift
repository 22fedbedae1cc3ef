#if canImport(Glibc)
    import Glibc
    import NIOCore
    import Testing

    @testable import SNMP

    /// A batch matches an answer's sender in the kernel's form: it must agree with
    /// `SocketAddress`'s `==`, which the batch compared with before.
    @Suite struct DatagramSenderTests {
        private static func matches(_ sender: SocketAddress, _ target: SocketAddress) -> Bool {
            var storage = sockaddr_storage()
            sender.withSockAddr { address, length in
                withUnsafeMutableBytes(of: &storage) {
                    $0.baseAddress!.copyMemory(from: address, byteCount: length)
                }
            }
            return withUnsafePointer(to: &storage) { DatagramSender(name: $0).is(target) }
        }

        @Test func itMatchesExactlyTheAddressesSocketAddressFindsEqual() throws {
            let addresses = [
                try SocketAddress(ipAddress: "127.0.0.1", port: 161),
                try SocketAddress(ipAddress: "127.0.0.1", port: 162),
                try SocketAddress(ipAddress: "127.0.0.2", port: 161),
                try SocketAddress(ipAddress: "10.1.2.3", port: 161),
                try SocketAddress(ipAddress: "::1", port: 161),
                try SocketAddress(ipAddress: "::1", port: 162),
                try SocketAddress(ipAddress: "fe80::1", port: 161),
                try SocketAddress(ipAddress: "::ffff:127.0.0.1", port: 161),
            ]
            for sender in addresses {
                for target in addresses {
                    #expect(Self.matches(sender, target) == (sender == target), "\(sender) from \(target)")
                }
            }
        }

        @Test func itHandsTheSenderOverAsASocketAddress() throws {
            let address = try SocketAddress(ipAddress: "192.0.2.7", port: 1161)
            var storage = sockaddr_storage()
            address.withSockAddr { pointer, length in
                withUnsafeMutableBytes(of: &storage) {
                    $0.baseAddress!.copyMemory(from: pointer, byteCount: length)
                }
            }
            let converted = withUnsafePointer(to: &storage) { DatagramSender(name: $0).address }
            #expect(converted == address)
        }

        @Test func aSenderOfAnotherFamilyIsNoAddress() throws {
            var storage = sockaddr_storage()
            storage.ss_family = sa_family_t(AF_UNIX)
            let target = try SocketAddress(ipAddress: "127.0.0.1", port: 161)
            withUnsafePointer(to: &storage) {
                #expect(!DatagramSender(name: $0).is(target))
                #expect(DatagramSender(name: $0).address == nil)
            }
        }
    }
#endif
