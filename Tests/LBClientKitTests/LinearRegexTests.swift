import Foundation
import LBCore
import Testing

@testable import LBClientKit

/// The `=~` matcher: RE2 syntax, linear time, a step budget and cancellation.
@Suite("Linear regular expressions")
struct LinearRegexTests {
    @Test func catastrophicBacktrackingPatternsFinishInLinearSteps() throws {
        for count in [30, 40, 200] {
            let text = String(repeating: "a", count: count) + "b"
            for pattern in ["(a+)+$", "(a*)*c", "(a|aa)+$", "(a|a)*c", "^(\\w+\\s?)*!$"] {
                let regex = try LinearRegex(pattern)
                let (found, steps) = try regex.matchesCountingSteps(text)
                #expect(!found, "\(pattern) against \(count) a's and a b")
                // At most one visit per instruction and scalar, twice (closure and step).
                let bound = 2 * (text.unicodeScalars.count + 1) * regex.program.instructions.count
                #expect(steps <= bound, "\(pattern): \(steps) steps, bound \(bound)")
            }
        }
        #expect(try LinearRegex("(a+)+$").matches(String(repeating: "a", count: 40)))
    }

    @Test func anExpressionWithACatastrophicPatternAnswersAtOnce() throws {
        let text = String(repeating: "a", count: 35) + "b"
        let expression = try MetricExpression("'\(text)' =~ '(a+)+$' ? 1 : 2")
        #expect(try expression.evaluate(with: [:]) == .number(2))
        let negated = try MetricExpression("'\(text)' !~ '^(a+)+b$'")
        #expect(try negated.evaluate(with: [:]) == .bool(false))
    }

    @Test(arguments: [
        ("abc", "b", true), ("abc", "^b", false), ("abc", "c$", true), ("abc", "^abc$", true),
        ("ABC", "(?i)abc", true), ("ABC", "(?i:a)BC", true), ("ABC", "(?i:a)bc", false),
        ("a\nb", "^b", false), ("a\nb", "(?m)^b$", true), ("a\nb", "a.b", false), ("a\nb", "(?s)a.b", true),
        ("x9", "\\d", true), ("x", "\\D", true), ("9", "\\D", false), ("a b", "\\s", true),
        ("a_1", "^\\w+$", true), ("a-1", "^\\w+$", false), ("a-1", "\\W", true),
        ("foo bar", "\\bbar\\b", true), ("foobar", "\\bbar", false), ("foobar", "o\\Bb", true),
        ("]", "[]a]", true), ("-", "[a-]", true), ("b", "[^a]", true), ("\n", "[^a]", true),
        ("Q", "[[:upper:]]", true), ("q", "[[:^lower:]]", false), ("5", "[^\\D]", true),
        ("x", "[\\d\\s]", false),
        ("aaa", "^a{3}$", true), ("aa", "^a{3}$", false), ("aaaa", "^a{2,3}$", false),
        ("aaaa", "^a{2,}$", true),
        ("a{", "a{", true), ("a{,2}", "^a{,2}$", true), ("a{x}", "a{x}", true),
        ("ab", "a+?b", true), ("ab", "(?U)a+b", true), ("ab", "(?P<first>a)(?<second>b)", true),
        ("a.b", "a\\.b", true), ("axb", "a\\.b", false), ("a+b", "\\Qa+b\\E", true), ("aab", "\\Qa+b", false),
        ("\t", "\\t", true), ("A", "\\x41", true), ("☺", "\\x{263a}", true), ("\u{0}", "\\0", true),
        ("", "", true), ("", "a*", true), ("", "^$", true), ("x", "\\Ax\\z", true), ("xy", "x\\z", false),
        ("cat", "dog|cat", true), ("cow", "dog|cat", false), ("", "a|", true), ("Ꮿ", "(?i)ꮿ", true),
    ])
    func matchesAsGosRegexp(text: String, pattern: String, expected: Bool) throws {
        #expect(try LinearRegex(pattern).matches(text) == expected, "'\(text)' =~ '\(pattern)'")
    }

    @Test(arguments: [
        "(", ")", "a)", "[a", "[z-a]", "*", "a**", "a+*", "x{2}{3}", "{2}", "a{1001}", "a{3,2}", "(?=a)",
        "(?!a)", "(?<=a)", "\\1", "\\8", "\\pL", "\\p{Greek}", "\\Z", "\\", "(?P<>a)", "(?P=x)", "(?i",
        "[[:alfa:]]", "[a-\\d]", "\\x{110000}", "(?z)", "(a{1000}){1000}",
    ])
    func rejectsWhatRE2Rejects(pattern: String) {
        #expect(throws: RegexError.self, "\(pattern)") { try LinearRegex(pattern) }
        #expect(PatternMatching.problem(with: pattern) != nil)
    }

    @Test func aBadPatternIsAConfigurationError() {
        #expect(throws: ExpressionError.self) { try MetricExpression("'a' =~ '(?=a)'") }
    }

    @Test func aMatchStopsAtItsStepBudget() throws {
        let regex = try LinearRegex("(a|b|c|d)*e")
        let text = String(repeating: "abcd", count: 1000)
        #expect(throws: RegexError.self) { try regex.matches(text, maximumSteps: 10_000) }
        #expect(try regex.matches(text) == false)
    }

    @Test func aMatchStopsWhenItsTaskIsCancelled() async throws {
        let regex = try LinearRegex("(a|b|c|d)*e")
        let text = String(repeating: "abcd", count: 10_000)
        let task = Task { () throws(RegexError) -> Bool in
            withUnsafeCurrentTask { $0?.cancel() }
            return try regex.matches(text)
        }
        let result = await task.result
        #expect(throws: RegexError.cancelled) { try result.get() }
    }

    // MARK: Differential test against ICU (NSRegularExpression) on the common subset

    private struct PatternGenerator {
        var random: SeededRandomNumberGenerator

        mutating func pick<T>(_ choices: [T]) -> T { choices.randomElement(using: &random)! }
        mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &random) < percent }

        mutating func atom(depth: Int) -> String {
            if depth < 2 && chance(20) {
                return pick(["(", "(?:"]) + alternation(depth: depth + 1) + ")"
            }
            return pick([
                "a", "b", "c", "A", ".", "[ab]", "[^a]", "[a-c]", "[^bc1]", "\\d", "\\w", "\\s", "\\W", "1",
                "x",
                "[[:alpha:]]", "\\.", "[.]",
            ])
        }

        mutating func quantified(depth: Int) -> String {
            if chance(8) { return pick(["^", "$", "\\b", "\\B"]) }
            var text = atom(depth: depth)
            if chance(40) {
                text += pick(["*", "+", "?", "{2}", "{1,3}", "{0,2}", "{2,}"])
                if chance(20) { text += "?" }
            }
            return text
        }

        mutating func concatenation(depth: Int) -> String {
            (0..<Int.random(in: 1...4, using: &random)).map { _ in quantified(depth: depth) }.joined()
        }

        mutating func alternation(depth: Int) -> String {
            var text = concatenation(depth: depth)
            while chance(25) { text += "|" + concatenation(depth: depth) }
            return text
        }

        mutating func pattern() -> String { (chance(15) ? "(?i)" : "") + alternation(depth: 0) }

        mutating func text() -> String {
            String((0..<Int.random(in: 0...10, using: &random)).map { _ in pick(Array("aabbcA1 x.B")) })
        }
    }

    @Test func agreesWithICUOnRandomPatternsOfTheCommonSubset() throws {
        var generator = PatternGenerator(random: SeededRandomNumberGenerator(seed: 0x5EED_12_05))
        var compared = 0
        var disagreements: [String] = []
        for _ in 0..<3000 {
            let pattern = generator.pattern()
            let regex = try LinearRegex(pattern)
            let reference = try NSRegularExpression(pattern: pattern)
            for _ in 0..<3 {
                let text = generator.text()
                let expected =
                    reference.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
                if try regex.matches(text) != expected {
                    disagreements.append("'\(text)' =~ '\(pattern)': ICU \(expected)")
                }
                compared += 1
            }
        }
        #expect(compared == 9000)
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10))")
    }
}
