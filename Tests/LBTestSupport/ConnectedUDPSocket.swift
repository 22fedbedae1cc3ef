import Foundation

/// A UDP socket `connect()`ed to one server address, as dig, net-snmp and most resolvers use:
/// the kernel drops every datagram that does not come from exactly that address and port, so a
/// server answering from another source address than the one asked is seen to time out.
public final class ConnectedUDPSocket: Sendable {
    private let descriptor: Int32

    /// A socket connected to `host` (an IPv4 or IPv6 literal) at `port`, bound first to `source`
    /// (a literal of the same family) when given; otherwise the kernel picks the source address.
    public init(to host: String, port: Int, from source: String? = nil) throws {
        let target = try Self.address(host, port: port)
        descriptor = socket(Int32(target.family), Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw PeerError("socket() failed: errno \(errno)") }
        do {
            if let source {
                let local = try Self.address(source, port: 0)
                guard local.withSockaddr({ bind(descriptor, $0, $1) }) == 0 else {
                    throw PeerError("bind(\(source)) failed: errno \(errno)")
                }
            }
            guard target.withSockaddr({ connect(descriptor, $0, $1) }) == 0 else {
                throw PeerError("connect(\(host):\(port)) failed: errno \(errno)")
            }
        } catch {
            close(descriptor)
            throw error
        }
    }

    deinit { close(descriptor) }

    /// Sends `bytes` and returns the first datagram received within `timeout` seconds, or `nil`.
    /// It blocks a thread of its own, off Swift's cooperative pool, which the server under test
    /// may need on a two-core machine.
    public func exchange(_ bytes: [UInt8], timeout: Double = 2) async -> [UInt8]? {
        let descriptor = self.descriptor
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(returning: Self.exchange(descriptor, bytes, timeout: timeout))
            }
        }
    }

    private static func exchange(_ descriptor: Int32, _ bytes: [UInt8], timeout: Double) -> [UInt8]? {
        var limit = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1e6))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        let sent = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
        guard sent == bytes.count else { return nil }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        // A refused port (ICMP unreachable) is reported once as ECONNREFUSED: that is no answer.
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        return count < 0 ? nil : Array(buffer.prefix(count))
    }

    /// A socket address for an IP literal.
    private struct Address {
        var storage = sockaddr_storage()
        var length: socklen_t
        var family: sa_family_t { storage.ss_family }

        func withSockaddr<T>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
            withUnsafePointer(to: storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
            }
        }
    }

    private static func address(_ host: String, port: Int) throws -> Address {
        var v4 = sockaddr_in()
        if inet_pton(AF_INET, host, &v4.sin_addr) == 1 {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = UInt16(port).bigEndian
            var address = Address(length: socklen_t(MemoryLayout<sockaddr_in>.size))
            withUnsafeMutableBytes(of: &address.storage) {
                $0.copyBytes(from: withUnsafeBytes(of: v4) { Array($0) })
            }
            return address
        }
        var v6 = sockaddr_in6()
        if inet_pton(AF_INET6, host, &v6.sin6_addr) == 1 {
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = UInt16(port).bigEndian
            var address = Address(length: socklen_t(MemoryLayout<sockaddr_in6>.size))
            withUnsafeMutableBytes(of: &address.storage) {
                $0.copyBytes(from: withUnsafeBytes(of: v6) { Array($0) })
            }
            return address
        }
        throw PeerError("\(host) is not an IP address literal")
    }

    /// Whether `::1` can be bound here (IPv6 may be disabled in a container).
    public static var ipv6LoopbackExists: Bool {
        guard let probe = try? ConnectedUDPSocket(to: "::1", port: 9, from: "::1") else { return false }
        _ = probe
        return true
    }
}
