/// Entries appended in the order they fall due and taken from the front: a batch's deadlines
/// and window ends (``BatchGetRun``). An array read from a head position, whose taken front is
/// dropped once it is most of the array, so that each entry is moved at most once more.
///
/// A concrete struct rather than NIO's `CircularBuffer` of tuples, whose `first` went through
/// the tuple's runtime witnesses for every entry.
struct TimeOrderedQueue<Entry> {
    private var entries: [Entry] = []
    /// The position of the first entry not taken yet.
    private var head = 0

    var first: Entry? {
        head < entries.count ? entries[head] : nil
    }

    mutating func append(_ entry: Entry) {
        entries.append(entry)
    }

    /// Takes the first entry; there must be one.
    mutating func removeFirst() {
        precondition(head < entries.count)
        head += 1
        if head == entries.count {
            entries.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1024, head * 2 >= entries.count {
            entries.removeSubrange(0..<head)
            head = 0
        }
    }
}
