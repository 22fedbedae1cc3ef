import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The kernel's socket tables as one evaluation sees them: each table is read at most once, when
/// a daemon check first needs it, and every daemon check of every file of that evaluation shares
/// the answer.
///
/// A new snapshot belongs to each ``CheckContext``, and ``ClientEvaluator`` makes one context per
/// evaluation, so the long-running modes read the tables again for every evaluation and never
/// answer from an older one.
public final class SocketTableSnapshot: Sendable {
    /// One table: its `/proc/net` file (under the context's root) and what it lists.
    struct Table: Equatable, Sendable {
        var path: String
        var transport: ListeningSocket.Transport
        var family: ListeningSocket.Family
        /// True when `path` is the running kernel's own file (the root is `/`), so the kernel
        /// may be asked directly.
        var isLive: Bool
    }

    /// What reading a table gave.
    ///
    /// Its own enum rather than a `Result` or a dictionary keyed by ``Table``: instantiating those
    /// generic types makes the Swift runtime search every protocol conformance of the executable
    /// the first time, a measurable part of a one-shot run.
    enum Read: Sendable, Equatable {
        /// The sockets of the table that accept traffic.
        case sockets([ListeningSocket])
        case unreadable(SystemFile.ReadError)
    }

    typealias Reader = @Sendable (Table) -> Read

    private let reader: Reader
    /// The tables read so far (at most four). Held while a table is read, so checks asking at
    /// the same time wait for that one read; asking the kernel takes tens of microseconds, and a
    /// `/proc/net` file (a fixture root, or no netlink) a few milliseconds at most.
    private let reads = Mutex<[(table: Table, read: Read)]>([])

    public convenience init() {
        self.init(reader: Self.read)
    }

    init(reader: @escaping Reader) {
        self.reader = reader
    }

    /// The table's sockets, read on first use.
    func sockets(in table: Table) -> Read {
        reads.withLock { reads in
            if let known = reads.first(where: { $0.table == table }) { return known.read }
            let read = reader(table)
            reads.append((table, read))
            return read
        }
    }

    /// Reads a table the way ``DaemonCheck`` always has, asking the kernel over netlink instead
    /// of reading the live `/proc/net` file when it can.
    ///
    /// The live file is still opened first, so a table that does not exist (`tcp6` with IPv6
    /// disabled) or cannot be opened gives the same error as before; opening does not make the
    /// kernel walk its hash tables, only reading does.
    static func read(_ table: Table) -> Read {
        if table.isLive {
            let descriptor = open(table.path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else {
                return .unreadable(SystemFile.ReadError(path: table.path, errno: errno))
            }
            close(descriptor)
            if let sockets = SocketDiagnostics.sockets(table.transport, table.family) {
                return .sockets(sockets)
            }
        }
        do throws(SystemFile.ReadError) {
            let text = try SystemFile.text(table.path)
            return .sockets(ListeningSockets.parse(text, transport: table.transport, family: table.family))
        } catch {
            return .unreadable(error)
        }
    }
}
