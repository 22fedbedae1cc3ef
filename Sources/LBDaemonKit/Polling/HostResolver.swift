import Foundation
import NIOCore
import NIOPosix

/// Resolves member names to the IPv4 and IPv6 addresses lbd polls, in resolver order, without
/// duplicates. An address literal resolves to itself without a lookup.
public enum HostResolver {
    /// Why a name gave no address.
    public struct Failure: Error, Hashable, Sendable, CustomStringConvertible {
        public var host: String
        public var reason: String

        public var description: String { "\(host): \(reason)" }
    }

    /// The addresses of `host` with `port`, looked up on a thread of NIO's blocking pool so that
    /// a slow resolver never holds an event loop or the cooperative pool.
    public static func addresses(of host: String, port: Int) async throws -> [SocketAddress] {
        if let literal = try? SocketAddress(ipAddress: host, port: port) { return [literal] }
        return try await NIOThreadPool.singleton.runIfActive { try lookUp(host, port: port) }
    }

    private static func lookUp(_ host: String, port: Int) throws -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw Failure(host: host, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(first) }
        var result: [SocketAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if let address = entry.pointee.ai_addr {
                let socketAddress: SocketAddress?
                switch entry.pointee.ai_family {
                case AF_INET:
                    socketAddress = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                        SocketAddress($0.pointee, host: host)
                    }
                case AF_INET6:
                    socketAddress = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                        SocketAddress($0.pointee, host: host)
                    }
                default:
                    socketAddress = nil
                }
                if let socketAddress, !result.contains(socketAddress) { result.append(socketAddress) }
            }
            cursor = entry.pointee.ai_next
        }
        guard !result.isEmpty else { throw Failure(host: host, reason: "no IPv4 or IPv6 address") }
        return result
    }
}
