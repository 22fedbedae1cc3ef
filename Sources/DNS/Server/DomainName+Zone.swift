extension DomainName {
    /// Whether this name is `ancestor` or a name below it (labels compared without case).
    public func isSubdomain(of ancestor: DomainName) -> Bool {
        let count = ancestor.wireLabels.count
        guard wireLabels.count >= count else { return false }
        return zip(wireLabels.suffix(count), ancestor.wireLabels).allSatisfy {
            DomainName.labelsMatch($0, $1)
        }
    }

    /// The name without its first `count` labels; the root for `count` at or over the label count.
    func droppingFirstLabels(_ count: Int) -> DomainName {
        DomainName(uncheckedWireLabels: Array(wireLabels.dropFirst(count)))
    }
}
