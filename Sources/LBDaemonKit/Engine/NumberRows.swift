/// Rows of numbers of different lengths, kept one after the other in a single array.
///
/// An array per row put each row in an allocation of its own: at a hundred thousand members,
/// reading a member's aliases as its report came in missed the cache almost every time. Here,
/// rows read in order read memory in order.
struct NumberRows: Sendable, Equatable {
    /// Where each row starts in `numbers`, and where the last one ends.
    private let starts: [Int]
    private let numbers: [Int32]

    init(_ rows: [[Int32]]) {
        var starts: [Int] = []
        starts.reserveCapacity(rows.count + 1)
        var numbers: [Int32] = []
        numbers.reserveCapacity(rows.reduce(0) { $0 + $1.count })
        for row in rows {
            starts.append(numbers.count)
            numbers += row
        }
        starts.append(numbers.count)
        self.starts = starts
        self.numbers = numbers
    }

    /// How many rows there are.
    var count: Int { starts.count - 1 }

    /// Row `row`; its indices are positions in the whole layout, not from zero.
    subscript(row: Int) -> ArraySlice<Int32> {
        numbers[starts[row]..<starts[row + 1]]
    }

    /// Every row as an array of its own.
    var rows: [[Int32]] { (0..<count).map { Array(self[$0]) } }
}
