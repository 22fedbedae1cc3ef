#if canImport(Glibc)
    import Glibc
    import NIOCore
    import Testing

    @testable import SNMP

    /// The batch socket's IPv4 requests carry Don't Fragment, so that the kernel does not draw an
    /// IP ID for each of a hundred thousand of them.
    @Suite struct BatchDatagramSocketTests {
        private static func option(_ socket: BatchDatagramSocket, _ level: CInt, _ name: CInt) -> CInt {
            var value: CInt = -1
            var length = socklen_t(MemoryLayout<CInt>.size)
            #expect(getsockopt(socket.descriptor, level, name, &value, &length) == 0)
            return value
        }

        @Test func anIPv4BatchSocketSetsDontFragmentWithoutTrackingThePathMTU() throws {
            let socket = try BatchDatagramSocket(local: try SocketAddress(ipAddress: "127.0.0.1", port: 0))
            defer { socket.close() }
            #expect(
                Self.option(socket, CInt(IPPROTO_IP), CInt(IP_MTU_DISCOVER)) == CInt(IP_PMTUDISC_PROBE))
        }

        @Test func anIPv6BatchSocketIsLeftAsTheKernelMadeIt() throws {
            guard let socket = try? BatchDatagramSocket(local: try SocketAddress(ipAddress: "::1", port: 0))
            else {
                return  // no IPv6 loopback on this machine
            }
            defer { socket.close() }
            #expect(
                Self.option(socket, CInt(IPPROTO_IPV6), CInt(IPV6_MTU_DISCOVER)) != CInt(IP_PMTUDISC_PROBE))
        }
    }
#endif
