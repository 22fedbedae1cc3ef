import Foundation

/// Blocking loopback TCP for tests: a connect and a read until the peer closes, both bounded.
public enum LoopbackTCP {
    /// A TCP socket connected to 127.0.0.1:`port`; the caller closes it.
    public static func connect(port: Int) throws -> Int32 {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return try connect(AF_INET, to: address, "127.0.0.1:\(port)")
    }

    /// A stream socket connected to the UNIX socket at `path`; the caller closes it.
    public static func connect(unixPath path: String) throws -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw PeerError("socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        return try connect(AF_UNIX, to: address, path)
    }

    private static func connect<Address>(_ family: Int32, to address: Address, _ name: String) throws -> Int32
    {
        let descriptor = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw PeerError("socket() failed") }
        let connected = withUnsafeBytes(of: address) { raw in
            Glibc.connect(
                descriptor, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self),
                socklen_t(MemoryLayout<Address>.size))
        }
        guard connected == 0 else {
            close(descriptor)
            throw PeerError("cannot connect to \(name)")
        }
        return descriptor
    }

    /// Everything read until end of file, an error, `seconds` without data, or 1 MB.
    public static func readAll(_ descriptor: Int32, seconds: Int) -> String {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 1_000_000 {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            bytes += chunk[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
