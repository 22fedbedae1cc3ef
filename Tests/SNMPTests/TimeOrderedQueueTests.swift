import Testing

@testable import SNMP

/// The queue of a batch's deadlines and window ends: first in, first out, however its front is
/// dropped along the way.
@Suite struct TimeOrderedQueueTests {
    @Test func entriesComeOutInTheOrderTheyWentIn() {
        var queue = TimeOrderedQueue<Int>()
        #expect(queue.first == nil)
        var next = 0
        // Interleaved appends and removals past the point where the taken front is dropped.
        for round in 0..<50 {
            for value in 0..<(100 + round) { queue.append(round * 1000 + value) }
            for _ in 0..<(90 + round) {
                let expected = queue.first
                #expect(expected != nil)
                queue.removeFirst()
                if let expected { #expect(expected >= next) }
                next = expected ?? next
            }
        }
        var left: [Int] = []
        while let first = queue.first {
            left.append(first)
            queue.removeFirst()
        }
        #expect(left.count == 50 * 10)
        #expect(left == left.sorted())
        #expect(queue.first == nil)
    }

    @Test func anEmptiedQueueTakesNewEntries() {
        var queue = TimeOrderedQueue<String>()
        queue.append("a")
        queue.removeFirst()
        #expect(queue.first == nil)
        queue.append("b")
        queue.append("c")
        #expect(queue.first == "b")
        queue.removeFirst()
        #expect(queue.first == "c")
    }
}
