#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The memory of one direction of a batch of datagrams (one recvmmsg or sendmmsg): per datagram
/// a message header, a vector, a slot of `slotSize` octets, and when asked a peer address and a
/// control area. Allocated once by its owner and freed with it; each vector starts out pointing
/// at its whole slot, as a receive wants it.
///
/// Not for sharing: only the one thread that runs its owner's batches touches it, which is why
/// its owners (the DNS and agent UDP threads, an SNMP batch's socket) are `@unchecked Sendable`.
public final class DatagramBatchBuffers {
    /// Datagrams per batch.
    public let count: Int
    /// Octets of each datagram's slot.
    public let slotSize: Int
    public let messages: UnsafeMutablePointer<DatagramBatchCalls.Message>
    public let vectors: UnsafeMutablePointer<iovec>
    /// The datagrams' slots, `slotSize` octets apart (`slot(_:)`).
    public let slots: UnsafeMutableRawPointer
    /// A peer address per datagram; nil when the messages point at another batch's (a reply
    /// goes to the address its request came from).
    public let names: UnsafeMutablePointer<sockaddr_storage>?
    /// A control area of `controlCapacity` octets per datagram, or nil.
    public let control: UnsafeMutableRawPointer?
    public let controlCapacity: Int

    public init(count: Int, slotSize: Int, names: Bool, controlCapacity: Int = 0) {
        self.count = count
        self.slotSize = slotSize
        self.controlCapacity = controlCapacity
        messages = .allocate(capacity: count)
        messages.initialize(repeating: DatagramBatchCalls.Message(), count: count)
        slots = .allocate(byteCount: count * slotSize, alignment: 16)
        vectors = .allocate(capacity: count)
        for index in 0..<count {
            (vectors + index).initialize(to: iovec(iov_base: slots + index * slotSize, iov_len: slotSize))
        }
        if names {
            let storage = UnsafeMutablePointer<sockaddr_storage>.allocate(capacity: count)
            storage.initialize(repeating: sockaddr_storage(), count: count)
            self.names = storage
        } else {
            self.names = nil
        }
        control = controlCapacity > 0 ? .allocate(byteCount: count * controlCapacity, alignment: 16) : nil
    }

    deinit {
        messages.deallocate()
        vectors.deallocate()
        slots.deallocate()
        names?.deallocate()
        control?.deallocate()
    }

    /// The slot of datagram `index`.
    @inline(__always)
    public func slot(_ index: Int) -> UnsafeMutableRawPointer {
        slots + index * slotSize
    }

    /// The control area of datagram `index`; only with a control area.
    @inline(__always)
    public func control(_ index: Int) -> UnsafeMutableRawPointer {
        control! + index * controlCapacity
    }

    /// Readies the first `count` messages for a receive into their slots and names (and control
    /// areas, if any): see `DatagramBatchCalls.prepareReceive`. Only with names.
    public func prepareReceive(count: Int) {
        DatagramBatchCalls.prepareReceive(
            messages, count: count, names: names!, vectors: vectors, control: control,
            controlCapacity: controlCapacity)
    }
}
