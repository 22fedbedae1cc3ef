import Foundation

/// Ports on 127.0.0.1 for the peers a benchmark starts: bound, read back and released, so free a
/// moment ago.
enum LoopbackPort {
    /// A port on 127.0.0.1 that was free a moment ago for both UDP and TCP, as a DNS server
    /// listens on both with the same number.
    static func freeForUDPAndTCP() throws -> Int {
        for _ in 0..<20 {
            let port = try bound(SOCK_DGRAM, port: 0)
            if (try? bound(SOCK_STREAM, port: port)) != nil { return port }
        }
        throw BenchmarkError("no port free for both UDP and TCP")
    }

    /// Binds a socket of `type` to 127.0.0.1:`port`, reads the port back and closes it.
    static func bound(_ type: __socket_type, port: Int) throws -> Int {
        let descriptor = socket(AF_INET, Int32(type.rawValue), 0)
        guard descriptor >= 0 else { throw BenchmarkError("socket() failed") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 && getsockname(descriptor, pointer, &length) == 0
            }
        }
        guard ok else { throw BenchmarkError("port \(port) is taken") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A UDP port.
    static func freeUDP() throws -> Int {
        try bound(SOCK_DGRAM, port: 0)
    }
}
