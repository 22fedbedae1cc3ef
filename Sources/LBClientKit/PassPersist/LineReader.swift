import OSThreads

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Lines read from a file descriptor (stdin for pass_persist) on a thread of their own, so the
/// blocking reads never occupy the cooperative pool.
public struct LineReader: AsyncSequence, Sendable {
    public typealias Element = String
    private let descriptor: Int32
    /// Longest line kept; a longer one is cut (snmpd's lines are OIDs, far shorter).
    public static let maximumLineLength = 4096

    public init(descriptor: Int32 = 0) { self.descriptor = descriptor }

    public func makeAsyncIterator() -> AsyncStream<String>.Iterator {
        let descriptor = descriptor
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .unbounded)
        BlockingThread.start {
            var pending: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                for byte in buffer[0..<count] {
                    if byte == UInt8(ascii: "\n") {
                        continuation.yield(String(decoding: pending, as: UTF8.self))
                        pending.removeAll(keepingCapacity: true)
                    } else if pending.count < Self.maximumLineLength {
                        pending.append(byte)
                    }
                }
            }
            if !pending.isEmpty { continuation.yield(String(decoding: pending, as: UTF8.self)) }
            continuation.finish()
        }
        return stream.makeAsyncIterator()
    }
}
