#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// recvmmsg(2) and sendmmsg(2), which move a batch of datagrams per system call. The C library's
/// declarations need `_GNU_SOURCE`, which Swift's Glibc module does not define, so the functions
/// are looked up by name; nil where the system has none (not Linux), and the server then reads
/// its UDP sockets through NIO instead.
enum DatagramBatchCalls {
    /// `struct mmsghdr`: a message header and the length the kernel received or sent. Laid out
    /// as in C (56 + 4 octets, stride 64 on 64-bit Linux).
    struct Message {
        var header = msghdr()
        var length: UInt32 = 0
    }

    typealias Receive =
        @convention(c) (CInt, UnsafeMutableRawPointer?, CUnsignedInt, CInt, UnsafeMutableRawPointer?) -> CInt
    typealias Send = @convention(c) (CInt, UnsafeMutableRawPointer?, CUnsignedInt, CInt) -> CInt

    /// recvmmsg, when the C library has it.
    static let receive: Receive? = symbol("recvmmsg", as: Receive.self)
    /// sendmmsg, when the C library has it.
    static let send: Send? = symbol("sendmmsg", as: Send.self)

    /// Whether both calls exist.
    static var available: Bool { receive != nil && send != nil }

    private static func symbol<Function>(_ name: String, as type: Function.Type) -> Function? {
        #if os(Linux)
            // struct mmsghdr must have the layout `Message` assumes, or the calls are not used.
            guard MemoryLayout<Message>.stride == MemoryLayout<msghdr>.size + 8,
                let address = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name)
            else { return nil }
            return unsafeBitCast(address, to: type)
        #else
            return nil
        #endif
    }
}
