import LBDaemonKit
import NIOCore
import Synchronization
import Testing

@Suite struct NodeAddressBookTests {
    /// A clock the test moves by hand, and a resolver whose answers and calls the test controls.
    final class World: Sendable {
        let now = Mutex(ContinuousClock.now)
        let answers = Mutex<[String: [String]]>([:])
        let calls = Mutex(0)

        func advance(_ duration: Duration) { now.withLock { $0 += duration } }

        func book() -> NodeAddressBook {
            NodeAddressBook(
                port: 161, refresh: .seconds(300), retryAfterFailure: .seconds(30), keepStale: .seconds(3600),
                now: { self.now.withLock { $0 } },
                resolve: { node, port in
                    self.calls.withLock { $0 += 1 }
                    guard let addresses = self.answers.withLock({ $0[node] }) else {
                        throw FakeResolutionError()
                    }
                    return try addresses.map { try SocketAddress(ipAddress: $0, port: port) }
                })
        }
    }

    private func addresses(_ entry: NodeAddressBook.Entry) -> [String]? {
        guard case .addresses(let list) = entry else { return nil }
        return list.map(\.node.description)
    }

    /// The look-up of a whole cycle's nodes at once says of each what the look-up of one does:
    /// the known addresses, nil for a node never resolved or due again, a failure as a failure.
    @Test func knownAddressesOfManyNodesAnswerAsOneByOne() async {
        let world = World()
        for index in 0..<5_000 {
            world.answers.withLock { $0["node\(index)"] = ["192.0.2.\(index % 250 + 1)"] }
        }
        let book = world.book()
        for index in 0..<5_000 where index % 3 != 0 { _ = await book.addresses(of: "node\(index)") }
        _ = await book.addresses(of: "missing")
        let nodes = (0..<5_000).map { "node\($0)" } + ["missing", "never"]
        let known = book.knownAddresses(of: nodes)
        #expect(known.count == nodes.count)
        for (node, entry) in zip(nodes, known) {
            let single = book.knownAddresses(of: node)
            #expect((entry == nil) == (single == nil), "\(node)")
            if let entry, let single {
                switch (entry, single) {
                case (.addresses, .addresses): #expect(addresses(entry) == addresses(single))
                case (.failure(let one), .failure(let other)): #expect(one == other)
                default: Issue.record("\(node): \(entry) against \(single)")
                }
            }
        }
        #expect(known[1] != nil && known[0] == nil && known[5_000] != nil && known[5_001] == nil)
        // Past the refresh, every entry is due again.
        world.advance(.seconds(301))
        #expect(book.knownAddresses(of: nodes).allSatisfy { $0 == nil })
    }

    /// The cycle-wide look-up answers again from its last answer only while that answer is
    /// still true: a node resolved since, a node forgotten, or an entry falling due makes it
    /// read the book again.
    @Test func knownAddressesOfManyNodesFollowTheBookBetweenCycles() async {
        let world = World()
        world.answers.withLock { $0 = ["a": ["192.0.2.1"], "b": ["192.0.2.2"], "c": ["192.0.2.3"]] }
        let book = world.book()
        _ = await book.addresses(of: "a")
        let nodes = ["a", "b", "c"]
        #expect(book.knownAddresses(of: nodes).map { $0 != nil } == [true, false, false])
        #expect(book.knownAddresses(of: nodes).map { $0 != nil } == [true, false, false])
        // Resolved meanwhile (a push, a refresh): seen at once.
        _ = await book.addresses(of: "b")
        #expect(book.knownAddresses(of: nodes).map { $0 != nil } == [true, true, false])
        // Another list of nodes is its own question.
        #expect(book.knownAddresses(of: ["c", "b"]).map { $0 != nil } == [false, true])
        // A changed address is seen, not the one the last answer gave.
        world.answers.withLock { $0["c"] = ["192.0.2.33"] }
        _ = await book.addresses(of: "c")
        #expect(
            book.knownAddresses(of: nodes).compactMap { $0.flatMap(addresses) } == [
                ["192.0.2.1"], ["192.0.2.2"], ["192.0.2.33"],
            ])
        // A node forgotten at a reload is not given from the last answer.
        book.keepOnly(["a", "c"])
        #expect(book.knownAddresses(of: nodes).map { $0 != nil } == [true, false, true])
        // Past its refresh, the first name resolved falls due; one resolved later does not yet.
        let later = world.book()
        _ = await later.addresses(of: "a")
        world.advance(.seconds(100))
        _ = await later.addresses(of: "b")
        #expect(later.knownAddresses(of: ["a", "b"]).map { $0 != nil } == [true, true])
        world.advance(.seconds(201))
        #expect(later.knownAddresses(of: ["a", "b"]).map { $0 != nil } == [false, true])
    }

    /// Resolving many names at once writes the book as resolving them one by one does: each
    /// name once, failures as failures, a failing name's last good addresses kept (then tried
    /// again after `retryAfterFailure`), and what it wrote is what the book knows after.
    @Test func resolvingManyAtOnceWritesWhatOneByOneWould() async {
        let world = World()
        for index in 0..<3_000 where index % 7 != 0 {
            world.answers.withLock { $0["node\(index)"] = ["192.0.2.\(index % 250 + 1)"] }
        }
        world.answers.withLock { $0["stale"] = ["198.51.100.9"] }
        let book = world.book()
        _ = await book.addresses(of: "stale")
        world.answers.withLock { $0["stale"] = nil }
        world.advance(.seconds(301))
        let nodes = (0..<3_000).map { "node\($0)" } + ["stale"]
        let calls = world.calls.withLock { $0 }
        let entries = await book.resolve(nodes, concurrency: 16)
        #expect(world.calls.withLock { $0 } == calls + nodes.count)
        #expect(entries.count == nodes.count)
        for (index, entry) in entries.dropLast().enumerated() {
            if index % 7 == 0 {
                guard case .failure = entry else {
                    Issue.record("node\(index) has no answer but got \(entry)")
                    continue
                }
            } else {
                #expect(addresses(entry) == ["192.0.2.\(index % 250 + 1)"])
            }
        }
        #expect(addresses(entries.last!) == ["198.51.100.9"])
        let known = book.knownAddresses(of: nodes)
        #expect(known.allSatisfy { $0 != nil })
        #expect(zip(known, entries).allSatisfy { addresses($0!) == addresses($1) })
        // The stale and failed names are due again after retryAfterFailure, the others after
        // the refresh.
        world.advance(.seconds(31))
        let due = book.knownAddresses(of: nodes)
        #expect(due.last! == nil)
        #expect(due.dropLast().enumerated().allSatisfy { ($0.offset % 7 == 0) == ($0.element == nil) })
        #expect(await book.resolve([], concurrency: 4).isEmpty)
    }

    @Test func namesAreResolvedOnceUntilTheRefreshIsDue() async {
        let world = World()
        world.answers.withLock { $0["node1"] = ["192.0.2.1", "2001:db8::1"] }
        let book = world.book()
        #expect(addresses(await book.addresses(of: "node1")) == ["192.0.2.1", "2001:db8::1"])
        world.advance(.seconds(299))
        world.answers.withLock { $0["node1"] = ["192.0.2.2"] }
        #expect(addresses(await book.addresses(of: "node1")) == ["192.0.2.1", "2001:db8::1"])
        #expect(world.calls.withLock { $0 } == 1)
        world.advance(.seconds(2))
        #expect(addresses(await book.addresses(of: "node1")) == ["192.0.2.2"])
        #expect(world.calls.withLock { $0 } == 2)
    }

    @Test func aFailingNameKeepsItsLastAddressesForAWhile() async {
        let world = World()
        world.answers.withLock { $0["node1"] = ["192.0.2.1"] }
        let book = world.book()
        _ = await book.addresses(of: "node1")
        world.answers.withLock { $0["node1"] = nil }
        world.advance(.seconds(301))
        #expect(addresses(await book.addresses(of: "node1")) == ["192.0.2.1"])
        // Tried again after retryAfterFailure, not after the full refresh.
        world.advance(.seconds(31))
        _ = await book.addresses(of: "node1")
        #expect(world.calls.withLock { $0 } == 3)
        // After keepStale, the failure shows.
        world.advance(.seconds(3600))
        guard case .failure = await book.addresses(of: "node1") else {
            Issue.record("a name failing for over an hour still gave addresses")
            return
        }
    }

    @Test func aNameThatNeverResolvedIsAFailure() async {
        let world = World()
        let book = world.book()
        guard case .failure(let reason) = await book.addresses(of: "nowhere") else {
            Issue.record("an unknown name resolved")
            return
        }
        #expect(reason.contains("no such host"))
    }
}
