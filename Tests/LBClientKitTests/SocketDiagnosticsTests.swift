#if os(Linux)
    import Glibc
    import Testing

    @testable import LBClientKit

    /// A socket of the test's own on loopback, at a port the kernel picks.
    private final class LoopbackSocket {
        let descriptor: Int32
        let port: UInt16

        /// Binds `address` (`127.0.0.1`, `::1`) and, for TCP, listens unless `listening` is false;
        /// nil when the address is not available here.
        init?(_ transport: ListeningSocket.Transport, _ address: String, listening: Bool = true) {
            let ipv6 = address.contains(":")
            let descriptor = socket(
                ipv6 ? AF_INET6 : AF_INET,
                Int32(transport == .tcp ? SOCK_STREAM.rawValue : SOCK_DGRAM.rawValue), 0)
            guard descriptor >= 0 else { return nil }
            var storage = sockaddr_storage()
            var length: socklen_t
            if ipv6 {
                var address6 = sockaddr_in6()
                address6.sin6_family = sa_family_t(AF_INET6)
                inet_pton(AF_INET6, address, &address6.sin6_addr)
                withUnsafeBytes(of: address6) { bytes in
                    withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: bytes) }
                }
                length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            } else {
                var address4 = sockaddr_in()
                address4.sin_family = sa_family_t(AF_INET)
                inet_pton(AF_INET, address, &address4.sin_addr)
                withUnsafeBytes(of: address4) { bytes in
                    withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: bytes) }
                }
                length = socklen_t(MemoryLayout<sockaddr_in>.size)
            }
            let bound = withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
            }
            guard bound == 0, transport == .udp || !listening || listen(descriptor, 8) == 0,
                withUnsafeMutablePointer(
                    to: &storage,
                    {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                            getsockname(descriptor, $0, &length)
                        }
                    }) == 0
            else {
                _ = Glibc.close(descriptor)
                return nil
            }
            self.descriptor = descriptor
            // sin_port and sin6_port are both at offset 2, in network order.
            port = withUnsafeBytes(of: storage) { UInt16($0[2]) << 8 | UInt16($0[3]) }
        }

        func close() { _ = Glibc.close(descriptor) }
    }

    @Suite("Socket diagnostics (netlink)", .serialized)
    struct SocketDiagnosticsTests {
        private func ports(_ transport: ListeningSocket.Transport, _ family: ListeningSocket.Family) throws
            -> [UInt16]
        {
            try #require(SocketDiagnostics.sockets(transport, family)).map(\.port)
        }

        @Test func aListeningTCPSocketIsFoundAndAClosedOneIsNot() throws {
            let listener = try #require(LoopbackSocket(.tcp, "127.0.0.1"))
            let sockets = try #require(SocketDiagnostics.sockets(.tcp, .ipv4))
            let found = try #require(sockets.first { $0.port == listener.port })
            #expect(found.address == [127, 0, 0, 1])
            #expect(found.state == ListeningSockets.tcpListenState)
            #expect(sockets.allSatisfy { $0.state == ListeningSockets.tcpListenState })
            listener.close()
            #expect(try !ports(.tcp, .ipv4).contains(listener.port))
        }

        @Test func aBoundTCPSocketThatDoesNotListenIsNotFound() throws {
            let bound = try #require(LoopbackSocket(.tcp, "127.0.0.1", listening: false))
            defer { bound.close() }
            #expect(try !ports(.tcp, .ipv4).contains(bound.port))
        }

        @Test func anIPv6ListenerIsInTheIPv6TableOnly() throws {
            guard let listener = LoopbackSocket(.tcp, "::1") else { return }  // no IPv6 here
            defer { listener.close() }
            let found = try #require(
                SocketDiagnostics.sockets(.tcp, .ipv6)?.first { $0.port == listener.port })
            #expect(found.addressDescription == "::1")
            #expect(try !ports(.tcp, .ipv4).contains(listener.port))
        }

        @Test func aBoundUDPSocketIsFound() throws {
            let udp = try #require(LoopbackSocket(.udp, "127.0.0.1"))
            let found = try #require(SocketDiagnostics.sockets(.udp, .ipv4)?.first { $0.port == udp.port })
            #expect(found.address == [127, 0, 0, 1])
            #expect(found.transport == .udp)
            udp.close()
            #expect(try !ports(.udp, .ipv4).contains(udp.port))
        }

        /// The kernel's answer is the parsed `/proc/net` file's. Other programs open and close
        /// sockets meanwhile, so a comparison counts only when the file read before and after the
        /// dump agree.
        @Test(arguments: [
            (ListeningSocket.Transport.tcp, ListeningSocket.Family.ipv4), (.tcp, .ipv6), (.udp, .ipv4),
            (.udp, .ipv6),
        ])
        func theSameSocketsAsTheProcFile(transport: ListeningSocket.Transport, family: ListeningSocket.Family)
            throws
        {
            let listener = LoopbackSocket(transport, family == .ipv4 ? "127.0.0.1" : "::1")
            defer { listener?.close() }
            let file = ListeningSockets.file(transport, family)
            func parsed() throws -> Set<ListeningSocket> {
                Set(ListeningSockets.parse(try SystemFile.text(file), transport: transport, family: family))
            }
            var compared = false
            for _ in 0..<20 {
                let before = try parsed()
                let dumped = Set(try #require(SocketDiagnostics.sockets(transport, family)))
                guard try parsed() == before else { continue }
                #expect(dumped == before)
                if let listener { #expect(dumped.contains { $0.port == listener.port }) }
                compared = true
                break
            }
            #expect(compared, "the socket table kept changing")
        }

        /// On the live root, DaemonCheck answers from the kernel's dump with the messages it has
        /// always given.
        @Test func aDaemonCheckOnTheLiveSystem() async throws {
            let listener = try #require(LoopbackSocket(.tcp, "127.0.0.1"))
            let check = try DaemonCheck(
                line: CheckFixtures.line(.daemon, #"{"port": \#(listener.port), "protocol": "tcp"}"#))
            let context = CheckFixtures.context(root: "/")
            #expect(
                try await check.run(in: context)
                    == .pass("tcp port \(listener.port) accepts traffic on 127.0.0.1"))
            listener.close()
            #expect(
                try await check.run(in: CheckFixtures.context(root: "/"))
                    == .fail("nothing accepts traffic on tcp port \(listener.port) (IPv4, IPv6)"))
        }
    }
#endif
