import Foundation

/// A small file both the fuzzing parent and its child map: the child writes each input there
/// before running it and counts it done after, so that when the child crashes or hangs the
/// parent knows which input did it without the child writing a file per input.
///
/// Layout: completed inputs (UInt64), current input's length (UInt64), peak RSS in KiB
/// (UInt64), then the input bytes.
final class FuzzSharedState {
    static let headerSize = 64
    let capacity: Int
    private let base: UnsafeMutableRawPointer
    private let size: Int

    init(path: String, capacity: Int, create: Bool) throws {
        self.capacity = capacity
        size = Self.headerSize + capacity
        let descriptor = open(path, create ? (O_RDWR | O_CREAT | O_TRUNC) : O_RDWR, 0o600)
        guard descriptor >= 0 else { throw BenchmarkError("cannot open \(path): errno \(errno)") }
        defer { close(descriptor) }
        if create, ftruncate(descriptor, off_t(size)) != 0 {
            throw BenchmarkError("cannot size \(path): errno \(errno)")
        }
        guard let mapped = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, 0),
            mapped != MAP_FAILED
        else { throw BenchmarkError("cannot map \(path): errno \(errno)") }
        base = mapped
    }

    deinit { munmap(base, size) }

    var completed: UInt64 {
        get { base.load(fromByteOffset: 0, as: UInt64.self) }
        set { base.storeBytes(of: newValue, toByteOffset: 0, as: UInt64.self) }
    }

    var peakRSSKiB: UInt64 {
        get { base.load(fromByteOffset: 16, as: UInt64.self) }
        set { base.storeBytes(of: newValue, toByteOffset: 16, as: UInt64.self) }
    }

    /// Records the input about to run.
    func setCurrent(_ input: [UInt8]) {
        let count = min(input.count, capacity)
        input.withUnsafeBytes { source in
            (base + Self.headerSize).copyMemory(from: source.baseAddress!, byteCount: count)
        }
        base.storeBytes(of: UInt64(count), toByteOffset: 8, as: UInt64.self)
    }

    /// The input that was running last.
    var current: [UInt8] {
        let count = min(Int(base.load(fromByteOffset: 8, as: UInt64.self)), capacity)
        return [UInt8](UnsafeRawBufferPointer(start: base + Self.headerSize, count: count))
    }
}

/// What one child reports for its share of a target's inputs.
struct FuzzSegmentResult: Codable {
    var inputs = 0
    var totalCPUNanoseconds: UInt64 = 0
    var worstCPUNanoseconds: UInt64 = 0
    var worstInput: [UInt8] = []
    var worstOrigin = ""
    var worstPerByteNanoseconds: Double = 0
    var worstPerByteInput: [UInt8] = []
    var largestOutput = 0
    var peakRSSKiB: UInt64 = 0
}

/// CPU time of this process, in nanoseconds (every thread: the SNMP agent's deadline runs in
/// tasks).
func processCPUNanoseconds() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}

func peakRSSKiB() -> UInt64 {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return UInt64(max(0, usage.ru_maxrss))
}
