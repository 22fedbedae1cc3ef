/// Runs a ``RegexProgram`` over a text by simulating every thread of the automaton at once
/// (Thompson's construction, as RE2 and Go's `regexp` do): each scalar of text costs at most one
/// step per instruction, so a match takes time linear in the text whatever the pattern
/// (`(a+)+$` included). It answers only whether there is a match somewhere.
struct RegexMatcher {
    let program: RegexProgram
    /// Most steps one match may take before it gives up with an error.
    let maximumSteps: Int
    /// Checked every ``checkInterval`` steps; true stops the match with ``RegexError/cancelled``.
    let isCancelled: () -> Bool

    static let checkInterval = 4096

    /// Steps taken by the last call of ``matches(_:)``: instructions visited.
    private(set) var steps = 0

    init(program: RegexProgram, maximumSteps: Int, isCancelled: @escaping () -> Bool) {
        self.program = program
        self.maximumSteps = maximumSteps
        self.isCancelled = isCancelled
    }

    /// A list of instruction indexes, each at most once (a sparse set cleared in O(1)).
    private struct ThreadList {
        var members: [Int] = []
        var stamps: [Int]
        var generation = 1

        init(size: Int) { stamps = Array(repeating: 0, count: size) }

        mutating func clear() {
            members.removeAll(keepingCapacity: true)
            generation += 1
        }

        /// Inserts `index`; false when it was there already.
        mutating func insert(_ index: Int) -> Bool {
            if stamps[index] == generation { return false }
            stamps[index] = generation
            members.append(index)
            return true
        }
    }

    /// Whether the program matches somewhere in `text`.
    mutating func matches(_ text: [Unicode.Scalar]) throws(RegexError) -> Bool {
        steps = 0
        let size = program.instructions.count
        var current = ThreadList(size: size)
        var next = ThreadList(size: size)
        var stack: [Int] = []
        for position in 0...text.count {
            // Unanchored search: a new thread starts at every position.
            if try addThread(0, at: position, in: text, to: &current, stack: &stack) { return true }
            guard position < text.count else { break }
            let scalar = text[position]
            next.clear()
            for index in current.members {
                try step()
                let advances: Bool
                switch program.instructions[index] {
                case .scalar(let expected): advances = scalar == expected
                case .set(let set): advances = set.contains(scalar)
                case .anyScalar(let includingNewline): advances = includingNewline || scalar != "\n"
                default: advances = false
                }
                if advances, try addThread(index + 1, at: position + 1, in: text, to: &next, stack: &stack) {
                    return true
                }
            }
            swap(&current, &next)
        }
        return false
    }

    /// Adds the thread at `start` and every thread its empty moves reach at `position`; true as
    /// soon as one reaches `match`.
    private mutating func addThread(
        _ start: Int, at position: Int, in text: [Unicode.Scalar], to list: inout ThreadList,
        stack: inout [Int]
    ) throws(RegexError) -> Bool {
        stack.removeAll(keepingCapacity: true)
        stack.append(start)
        while let index = stack.popLast() {
            guard list.insert(index) else { continue }
            try step()
            switch program.instructions[index] {
            case .match:
                return true
            case .jump(let target):
                stack.append(target)
            case .split(let first, let second):
                stack.append(second)
                stack.append(first)
            case .assertion(let assertion):
                let previous = position > 0 ? text[position - 1] : nil
                let next = position < text.count ? text[position] : nil
                if assertion.holds(previous: previous, next: next) { stack.append(index + 1) }
            case .scalar, .set, .anyScalar:
                break
            }
        }
        return false
    }

    private mutating func step() throws(RegexError) {
        steps += 1
        if steps > maximumSteps { throw .tooMuchWork(steps: maximumSteps) }
        if steps % Self.checkInterval == 0 && isCancelled() { throw .cancelled }
    }
}
