@testable import DNS

/// Octets from hex text; blanks are ignored so that vectors can be laid out by field.
func hexBytes(_ text: String) -> [UInt8] {
    let digits = Array(text.filter(\.isHexDigit))
    return stride(from: 0, to: digits.count - 1, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
}

func name(_ text: String) -> DomainName {
    try! DomainName(parsing: text)
}
