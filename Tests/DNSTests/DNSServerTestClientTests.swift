import Foundation

@testable import DNS

/// A minimal blocking DNS client over POSIX sockets on 127.0.0.1 for the server tests, so they
/// exercise the server through real sockets without sharing its event loops. Every read has a
/// timeout: a server that does not answer fails the test rather than hanging it. Reads wait on a
/// thread of their own: a read waiting out its timeout on one of the cooperative pool's two
/// threads would stall every other test of the process (agents' answers, timing checks).
final class TestDNSSocket: Sendable {
    let descriptor: Int32

    /// A UDP socket, or a TCP socket connected to `port`, from the loopback address `source`
    /// when given (any 127.0.0.0/8 address works on Linux) and receiving into `receiveBuffer`
    /// octets when given.
    init(tcp: Bool, port: Int, timeout: Int = 5, source: String? = nil, receiveBuffer: Int32? = nil) throws {
        descriptor = socket(AF_INET, Int32((tcp ? SOCK_STREAM : SOCK_DGRAM).rawValue), 0)
        guard descriptor >= 0 else { throw PeerErrorLike("socket() failed") }
        var time = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        if var size = receiveBuffer {
            setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        if let source {
            var local = Self.address(port: 0)
            local.sin_addr.s_addr = inet_addr(source)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard bound == 0 else {
                close(descriptor)
                throw PeerErrorLike("bind(\(source)) failed")
            }
        }
        var address = Self.address(port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(descriptor)
            throw PeerErrorLike("connect() failed")
        }
    }

    deinit { close(descriptor) }

    private static func address(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    /// Sends one datagram, or raw bytes on a stream.
    func send(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// One datagram, or nil at the timeout.
    func receiveDatagram() async -> [UInt8]? {
        let descriptor = self.descriptor
        return await Self.offThePool {
            var buffer = [UInt8](repeating: 0, count: 65536)
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            return count >= 0 ? Array(buffer[..<count]) : nil
        }
    }

    /// Exactly `count` octets from the stream, or nil at the timeout or end of stream.
    func receive(exactly count: Int) async -> [UInt8]? {
        let descriptor = self.descriptor
        return await Self.offThePool {
            var result: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            while result.count < count {
                let want = count - result.count
                let got = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, want, 0) }
                guard got > 0 else { return nil }
                result += buffer[..<got]
            }
            return result
        }
    }

    /// Sends `message` with its 2-octet length and reads one framed response.
    func exchangeTCP(_ message: DNSMessage) async throws -> DNSMessage? {
        let bytes = try message.encode()
        send([UInt8(bytes.count >> 8), UInt8(bytes.count & 0xFF)] + bytes)
        return try await receiveFramed()
    }

    func receiveFramed() async throws -> DNSMessage? {
        guard let prefix = await receive(exactly: 2) else { return nil }
        guard let body = await receive(exactly: Int(prefix[0]) << 8 | Int(prefix[1])) else { return nil }
        return try DNSMessage(decoding: body)
    }

    /// Sends `message` as a datagram and decodes the answer; returns the wire size too.
    func exchangeUDP(_ message: DNSMessage) async throws -> (message: DNSMessage, size: Int)? {
        send(try message.encode())
        guard let bytes = await receiveDatagram() else { return nil }
        return (try DNSMessage(decoding: bytes), bytes.count)
    }

    /// Runs a blocking read on a thread of its own.
    private static func offThePool<T: Sendable>(_ read: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: read()) }
        }
    }
}

struct PeerErrorLike: Error {
    let text: String
    init(_ text: String) { self.text = text }
}
