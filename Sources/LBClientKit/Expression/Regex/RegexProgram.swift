/// A regular expression compiled to a Thompson automaton: a list of instructions where `split`
/// and `jump` are the empty moves. Its size is bounded, so simulating it costs at most
/// `instructions.count` steps per scalar of text, however the pattern nests its repetitions.
struct RegexProgram: Sendable {
    enum Instruction: Sendable {
        case match
        case scalar(Unicode.Scalar)
        case set(RegexCharacterSet)
        case anyScalar(includingNewline: Bool)
        case assertion(RegexAssertion)
        /// Continue at both.
        case split(Int, Int)
        case jump(Int)
    }

    /// Largest program accepted; `(a{1000}){1000}` would be a million instructions.
    static let maximumInstructions = 20_000

    private(set) var instructions: [Instruction] = []

    init(_ node: RegexNode) throws(RegexError) {
        try emit(node)
        instructions.append(.match)
    }

    private mutating func append(_ instruction: Instruction) throws(RegexError) -> Int {
        guard instructions.count < Self.maximumInstructions else {
            throw RegexError("expression too large (more than \(Self.maximumInstructions) instructions)")
        }
        instructions.append(instruction)
        return instructions.count - 1
    }

    private mutating func emit(_ node: RegexNode) throws(RegexError) {
        switch node {
        case .empty:
            break
        case .scalar(let scalar):
            _ = try append(.scalar(scalar))
        case .set(let set):
            _ = try append(.set(set))
        case .anyScalar(let includingNewline):
            _ = try append(.anyScalar(includingNewline: includingNewline))
        case .assertion(let assertion):
            _ = try append(.assertion(assertion))
        case .concatenation(let items):
            for item in items { try emit(item) }
        case .alternation(let branches):
            try emitAlternation(branches[...])
        case .repetition(let body, let minimum, let maximum):
            try emitRepetition(body, minimum: minimum, maximum: maximum)
        }
    }

    private mutating func emitAlternation(_ branches: ArraySlice<RegexNode>) throws(RegexError) {
        guard let first = branches.first else { return }
        guard branches.count > 1 else { return try emit(first) }
        let split = try append(.split(0, 0))
        try emit(first)
        let jump = try append(.jump(0))
        instructions[split] = .split(split + 1, instructions.count)
        try emitAlternation(branches.dropFirst())
        instructions[jump] = .jump(instructions.count)
    }

    private mutating func emitRepetition(_ body: RegexNode, minimum: Int, maximum: Int?) throws(RegexError) {
        for _ in 0..<minimum { try emit(body) }
        guard let maximum else {
            // body*: split(body, out); body; jump back.
            let split = try append(.split(0, 0))
            try emit(body)
            _ = try append(.jump(split))
            instructions[split] = .split(split + 1, instructions.count)
            return
        }
        // (body(body(body)?)?)? for the optional copies: every exit goes to the end.
        var splits: [Int] = []
        for _ in minimum..<max(minimum, maximum) {
            splits.append(try append(.split(0, 0)))
            try emit(body)
        }
        for split in splits { instructions[split] = .split(split + 1, instructions.count) }
    }
}
