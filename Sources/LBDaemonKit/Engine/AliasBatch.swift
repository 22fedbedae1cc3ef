/// The aliases one evaluation polls and decides together, by position in the batch, with the
/// numbering of the configuration they were taken from (a reload while polling renumbers the
/// engine's, not the batch's).
struct AliasBatch: Sendable {
    /// The served aliases and members as numbered when the batch started.
    let layout: NumberedAliases
    /// The engine's generation when the batch started: while it is still the engine's, the
    /// batch's numbers are the engine's.
    let generation: Int
    /// The alias number of each position, each alias once, in the order first asked.
    let numbers: [Int]
    /// The position of each alias number in the batch, -1 when not in it.
    private let positionOfNumber: [Int32]

    /// The served aliases among `names` (the first of a name asked twice).
    init(_ names: [String], of layout: NumberedAliases, generation: Int) {
        var positionOfNumber = [Int32](repeating: -1, count: layout.aliases.count)
        var numbers: [Int] = []
        numbers.reserveCapacity(names.count)
        for name in names {
            guard let number = layout.aliasNumbers[name], positionOfNumber[number] < 0 else { continue }
            positionOfNumber[number] = Int32(numbers.count)
            numbers.append(number)
        }
        self.layout = layout
        self.generation = generation
        self.numbers = numbers
        self.positionOfNumber = positionOfNumber
    }

    var count: Int { numbers.count }

    var positions: Range<Int> { numbers.indices }

    /// The alias at `position`, as defined when the batch started.
    func alias(at position: Int) -> AliasConfiguration {
        layout.aliases[numbers[position]]
    }

    /// The position of alias number `number` in the batch, nil when it is not in it.
    func position(of number: Int32) -> Int? {
        let position = positionOfNumber[Int(number)]
        return position < 0 ? nil : Int(position)
    }
}
