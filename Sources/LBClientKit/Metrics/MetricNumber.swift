/// Reads the numbers metric sources print: decimal notation with an optional exponent (`5`,
/// `-1.5`, `1.234000e+02`) and the special values `nan`, `inf`, `infinity` in any case and sign,
/// as C's printf writes them.
enum MetricNumber {
    static func parse(_ text: some StringProtocol) -> Double? {
        var body = Substring(text)
        var negative = false
        if let sign = body.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            body = body.dropFirst()
        }
        switch body.lowercased() {
        case "nan": return negative ? -Double.nan : Double.nan
        case "inf", "infinity": return negative ? -Double.infinity : Double.infinity
        default: break
        }
        // Only decimal notation: Swift would also read hexadecimal floats, no source writes them.
        guard let first = body.first, (first.isASCII && first.isNumber) || first == ".",
            body.allSatisfy({
                ($0.isASCII && $0.isNumber) || $0 == "." || $0 == "e" || $0 == "E" || $0 == "+" || $0 == "-"
            })
        else { return nil }
        guard let magnitude = Double(body) else { return nil }
        return negative ? -magnitude : magnitude
    }
}
