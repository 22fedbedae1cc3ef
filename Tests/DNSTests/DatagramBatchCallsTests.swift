import Testing
import UDPReplySource

#if canImport(Glibc)
    import Glibc
#endif

/// recvmmsg and sendmmsg through the C shim (no dlsym): a batch sent in one call arrives, and is
/// read in one call, with every datagram's octets and length.
@Suite struct DatagramBatchCallsTests {
    #if os(Linux)
        @Test func sendsAndReceivesABatchOnLoopback() throws {
            #expect(DatagramBatchCalls.available)
            #expect(DatagramBatchCalls.waitForOne != 0)
            let send = try #require(DatagramBatchCalls.send)
            let receive = try #require(DatagramBatchCalls.receive)

            let receiver = try Self.boundSocket()
            defer { close(receiver) }
            let sender = try Self.boundSocket()
            defer { close(sender) }
            var address = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let named = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(receiver, $0, &length) }
            }
            try #require(named == 0)

            let payloads: [[UInt8]] = [[1], [2, 2], [3, 3, 3], Array(repeating: 4, count: 300)]
            var vectors = [iovec](repeating: iovec(), count: payloads.count)
            var messages = [DatagramBatchCalls.Message](repeating: .init(), count: payloads.count)
            let buffers = payloads.map { payload -> UnsafeMutableRawBufferPointer in
                let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: payload.count, alignment: 1)
                buffer.copyBytes(from: payload)
                return buffer
            }
            defer { for buffer in buffers { buffer.deallocate() } }
            let sent = withUnsafeMutablePointer(to: &address) { name in
                vectors.withUnsafeMutableBufferPointer { vectors in
                    for index in payloads.indices {
                        vectors[index] = iovec(
                            iov_base: buffers[index].baseAddress, iov_len: buffers[index].count)
                        messages[index].header.msg_name = UnsafeMutableRawPointer(name)
                        messages[index].header.msg_namelen = socklen_t(MemoryLayout<sockaddr_in>.size)
                        messages[index].header.msg_iov = vectors.baseAddress! + index
                        messages[index].header.msg_iovlen = 1
                    }
                    return messages.withUnsafeMutableBytes {
                        send(sender, $0.baseAddress, CUnsignedInt(payloads.count), 0)
                    }
                }
            }
            #expect(sent == CInt(payloads.count))
            #expect(messages.map(\.length) == payloads.map { UInt32($0.count) })

            // Bounded: a few receives, each bounded by the socket's one-second timeout.
            var received: [[UInt8]] = []
            let capacity = 512
            let storage = UnsafeMutableRawPointer.allocate(
                byteCount: capacity * payloads.count, alignment: 16)
            defer { storage.deallocate() }
            for _ in 0..<8 where received.count < payloads.count {
                var incoming = [DatagramBatchCalls.Message](repeating: .init(), count: payloads.count)
                var incomingVectors = (0..<payloads.count).map {
                    iovec(iov_base: storage + $0 * capacity, iov_len: capacity)
                }
                let count = incomingVectors.withUnsafeMutableBufferPointer { vectors in
                    for index in incoming.indices {
                        incoming[index].header.msg_iov = vectors.baseAddress! + index
                        incoming[index].header.msg_iovlen = 1
                    }
                    return incoming.withUnsafeMutableBytes {
                        receive(
                            receiver, $0.baseAddress, CUnsignedInt(payloads.count),
                            DatagramBatchCalls.waitForOne,
                            nil)
                    }
                }
                guard count > 0 else { continue }
                for index in 0..<Int(count) {
                    let bytes = UnsafeRawBufferPointer(
                        start: storage + index * capacity, count: Int(incoming[index].length))
                    received.append(Array(bytes))
                }
            }
            #expect(received == payloads)
        }

        /// A UDP socket on 127.0.0.1, any port, reads time out after a second.
        private static func boundSocket() throws -> CInt {
            let descriptor = socket(AF_INET, CInt(SOCK_DGRAM.rawValue), 0)
            try #require(descriptor >= 0)
            var timeout = timeval(tv_sec: 1, tv_usec: 0)
            _ = setsockopt(
                descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            if bound != 0 { close(descriptor) }
            try #require(bound == 0)
            return descriptor
        }
    #endif
}
