/// The served aliases and their member nodes, numbered once per configuration.
///
/// The engine keeps what it learns of each member and each alias in arrays by these numbers.
/// A cycle of a hundred thousand polls then follows a report to its aliases by index, where it
/// used to hash the node's name five or six times per poll (a fifth of lbd's CPU per poll at
/// that scale, issue 17).
///
/// Members are numbered in name order, so that polling in number order polls in name order.
struct NumberedAliases: Sendable {
    /// The served aliases in configuration order; of two with one name, the first.
    let aliases: [AliasConfiguration]
    /// Each alias's number (its position in `aliases`), by name.
    let aliasNumbers: [String: Int]
    /// Every member of a served alias once, in name order.
    let members: [String]
    /// Each member's number (its position in `members`), by name.
    let memberNumbers: [String: Int32]
    /// The numbers of each alias's members, in the alias's member order.
    let membersOfAlias: NumberRows
    /// The numbers of the aliases each member belongs to, each once, in configuration order.
    let aliasesOfMember: NumberRows

    init(_ served: [AliasConfiguration] = []) {
        var aliases: [AliasConfiguration] = []
        var aliasNumbers: [String: Int] = [:]
        aliases.reserveCapacity(served.count)
        for alias in served where aliasNumbers[alias.name] == nil {
            aliasNumbers[alias.name] = aliases.count
            aliases.append(alias)
        }
        let members = Set(aliases.flatMap(\.members)).sorted()
        var memberNumbers = [String: Int32](minimumCapacity: members.count)
        for (number, member) in members.enumerated() { memberNumbers[member] = Int32(number) }
        var aliasesOfMember = [[Int32]](repeating: [], count: members.count)
        let membersOfAlias = aliases.enumerated().map { number, alias in
            let numbers = alias.members.map { memberNumbers[$0]! }
            for (position, member) in numbers.enumerated() where !numbers[..<position].contains(member) {
                aliasesOfMember[Int(member)].append(Int32(number))
            }
            return numbers
        }
        self.aliases = aliases
        self.aliasNumbers = aliasNumbers
        self.members = members
        self.memberNumbers = memberNumbers
        self.membersOfAlias = NumberRows(membersOfAlias)
        self.aliasesOfMember = NumberRows(aliasesOfMember)
    }

    /// The served alias named `name`, if any.
    func alias(named name: String) -> AliasConfiguration? {
        aliasNumbers[name].map { aliases[$0] }
    }

    /// The names of the aliases `member` belongs to, in configuration order; empty when it is
    /// not a served member.
    func aliases(ofMember member: String) -> [String] {
        guard let number = memberNumbers[member] else { return [] }
        return aliasesOfMember[Int(number)].map { aliases[Int($0)].name }
    }
}
