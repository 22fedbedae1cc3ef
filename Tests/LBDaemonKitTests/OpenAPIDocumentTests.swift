import Foundation
import Hummingbird
import LBCore
import LBTestSupport
import Testing
import Yams

@testable import LBDaemonKit

/// docs/openapi.yaml cannot drift from what lbd serves: every route under /api/v1 is described,
/// and each endpoint's real answer, and the Swift type it decodes to, have exactly the
/// properties its schema lists, required exactly when the type's field is not optional.
@Suite(.serialized) struct OpenAPIDocumentTests {
    static func document() throws -> [String: Any] {
        let text = try ConfigFixture.repositoryText("docs/openapi.yaml")
        return try #require(try Yams.load(yaml: text) as? [String: Any])
    }

    @Test func everyRouteUnderAPIv1IsDescribed() throws {
        let sources = DaemonStatusSources(
            evaluations: { [:] }, configuration: { Configuration() }, instance: { .sample }, ready: { true })
        let service = HTTPService(
            settings: HTTPSettings(), heartbeatDirectory: "/nonexistent", heartbeatFile: "heartbeat",
            logger: CapturedLog().logger, sources: sources,
            routes: [
                APIRoutes(sources: sources),
                DrainRoutes(book: DrainBook(stateDirectory: "/nonexistent"), watcher: nil),
            ])
        let served = Set(
            service.makeRouter().routes.filter { [.get, .post, .delete].contains($0.method) }.map {
                "/" + String("\($0.path)".trimmingPrefix("/"))
            }
            .filter { $0.hasPrefix("/api/v1/") })
        let paths = try #require(try Self.document()["paths"] as? [String: Any])
        #expect(served.count >= 5, "\(served)")
        #expect(served == Set(paths.keys), "served \(served.sorted()), documented \(paths.keys.sorted())")
    }

    @Test func everyAnswerHasExactlyTheDocumentedProperties() async throws {
        let document = try Self.document()
        let checker = SchemaChecker(document: document)
        let lbd = try await APITestLBD()
        try await lbd.waitUntilReady()
        var checked = 0
        func check<T: Decodable>(_ path: String, _ operation: String, status: Int = 200, as type: T.Type)
            async throws
        {
            let answer = try await lbd.get(path)
            try await checkAnswer(answer, path, operation, status: status, as: type)
        }
        func checkAnswer<T: Decodable>(
            _ answer: RawHTTP.Answer, _ path: String, _ operation: String, status: Int, as type: T.Type
        ) async throws {
            #expect(answer.status == status, "\(path): \(answer.text)")
            let schema = try checker.responseSchema(operation, status: status)
            let json = try JSONSerialization.jsonObject(with: Data(answer.body))
            for problem in checker.problems(json: json, schema: schema, at: path) {
                Issue.record("\(problem)")
            }
            let value = try InstanceStatus.makeDecoder().decode(T.self, from: Data(answer.body))
            for problem in checker.problems(swift: value, schema: schema, at: "\(T.self)") {
                Issue.record("\(problem)")
            }
            checked += 1
        }
        try await check("/api/v1/instance", "getInstance", as: InstanceStatus.self)
        try await check("/api/v1/aliases", "listAliases", as: AliasList.self)
        for alias in ["web.example.org", "mixed.example.org", "dark.example.org"] {
            try await check("/api/v1/aliases/\(alias)", "getAlias", as: AliasDetail.self)
        }
        try await check("/api/v1/aliases/nowhere", "getAlias", status: 404, as: APIError.self)
        try await check("/api/v1/nodes/127.0.0.2", "getNode", as: NodeDetail.self)
        try await check("/api/v1/nodes/127.0.0.9", "getNode", as: NodeDetail.self)
        try await check("/api/v1/nodes/nobody", "getNode", status: 404, as: APIError.self)
        try await check(
            "/api/v1/aliases/web.example.org/history", "getAliasHistory", as: AliasHistoryAnswer.self)
        try await lbd.stop()

        // The history, from an in-memory store.
        let server = try await APIHistoryTests.server(history: try await APIHistoryTests.history())
        let history = try await RawHTTP.send(
            port: server.port, target: "/api/v1/aliases/web.example.org/history")
        try await checkAnswer(
            history, "history", "getAliasHistory", status: 200, as: AliasHistoryAnswer.self)
        let bad = try await RawHTTP.send(
            port: server.port, target: "/api/v1/aliases/web.example.org/history?from=x")
        try await checkAnswer(bad, "bad history", "getAliasHistory", status: 400, as: APIError.self)
        try await server.stop()
        #expect(checked == 12)
    }

    @Test func theCheckerFindsAnUndocumentedOrMissingProperty() throws {
        let checker = SchemaChecker(document: try Self.document())
        let schema: [String: Any] = [
            "type": "object", "required": ["a"],
            "properties": ["a": ["type": "string"], "b": ["type": "integer"]],
        ]
        #expect(checker.problems(json: ["a": "x", "b": 1], schema: schema, at: "$").isEmpty)
        #expect(checker.problems(json: ["a": "x"], schema: schema, at: "$").isEmpty)
        #expect(
            checker.problems(json: ["a": "x", "c": 1], schema: schema, at: "$") == ["$: c is not documented"])
        #expect(checker.problems(json: ["b": 1], schema: schema, at: "$") == ["$: a is required but absent"])
        #expect(checker.problems(json: ["a": 1], schema: schema, at: "$") == ["$.a: 1 is not a string"])
        let parsed = try JSONSerialization.jsonObject(with: Data(#"{"a": "x", "b": true}"#.utf8))
        let problems = checker.problems(json: parsed, schema: schema, at: "$")
        #expect(problems.count == 1 && problems[0].hasSuffix("is not an integer"), "\(problems)")
        let numbers = try JSONSerialization.jsonObject(with: Data(#"{"a": "x", "b": 1}"#.utf8))
        #expect(checker.problems(json: numbers, schema: schema, at: "$").isEmpty)
        struct Sample {
            var a: String
            var b: Int?
        }
        #expect(checker.problems(swift: Sample(a: "x", b: nil), schema: schema, at: "Sample").isEmpty)
        struct Drifted {
            var a: String?
            var b: Int
            var c: Bool
        }
        #expect(
            Set(checker.problems(swift: Drifted(a: nil, b: 1, c: true), schema: schema, at: "Drifted")) == [
                "Drifted: a is optional in the type but required in the schema",
                "Drifted: b is not optional in the type but not required in the schema",
                "Drifted: c is in the type but not in the schema",
            ])
    }
}

/// Checks JSON values and Swift values against the OpenAPI document's schemas.
struct SchemaChecker {
    let document: [String: Any]

    /// The schema of `operation`'s answer with `status`.
    func responseSchema(_ operation: String, status: Int) throws -> [String: Any] {
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        for item in paths.values {
            guard let get = item["get"] as? [String: Any], get["operationId"] as? String == operation else {
                continue
            }
            let responses = try #require(get["responses"] as? [String: Any])
            var response = try #require(responses[String(status)] as? [String: Any], "\(operation) \(status)")
            response = resolve(response)
            let content = try #require(response["content"] as? [String: Any])
            let json = try #require(content["application/json"] as? [String: Any])
            return resolve(try #require(json["schema"] as? [String: Any]))
        }
        throw DeadlineExceeded(description: "no operation \(operation)")
    }

    func resolve(_ schema: [String: Any]) -> [String: Any] {
        guard let reference = schema["$ref"] as? String else { return schema }
        var node: Any = document
        for part in reference.dropFirst(2).split(separator: "/") {
            node = (node as? [String: Any])?[String(part)] ?? [:]
        }
        return resolve(node as? [String: Any] ?? [:])
    }

    func problems(json: Any, schema raw: [String: Any], at path: String) -> [String] {
        let schema = resolve(raw)
        switch schema["type"] as? String {
        case "object":
            guard let object = json as? [String: Any] else { return ["\(path): not an object"] }
            var found: [String] = []
            let properties = (schema["properties"] as? [String: Any]) ?? [:]
            let required = (schema["required"] as? [String]) ?? []
            for name in required where object[name] == nil {
                found.append("\(path): \(name) is required but absent")
            }
            for (key, value) in object.sorted(by: { $0.key < $1.key }) {
                if let property = properties[key] as? [String: Any] {
                    found += problems(json: value, schema: property, at: "\(path).\(key)")
                } else if let additional = schema["additionalProperties"] as? [String: Any] {
                    found += problems(json: value, schema: additional, at: "\(path).\(key)")
                } else {
                    found.append("\(path): \(key) is not documented")
                }
            }
            return found
        case "array":
            guard let array = json as? [Any] else { return ["\(path): not an array"] }
            let items = (schema["items"] as? [String: Any]) ?? [:]
            return array.enumerated().flatMap { problems(json: $1, schema: items, at: "\(path)[\($0)]") }
        case "string":
            guard let text = json as? String else { return ["\(path): \(json) is not a string"] }
            if let allowed = schema["enum"] as? [String], !allowed.contains(text) {
                return ["\(path): '\(text)' is not one of \(allowed)"]
            }
            if schema["format"] as? String == "date-time", ISO8601DateFormatter().date(from: text) == nil {
                return ["\(path): '\(text)' is not a date-time"]
            }
            return []
        case "integer":
            return Self.number(json).map { $0 == $0.rounded() } == true
                ? [] : ["\(path): \(json) is not an integer"]
        case "number":
            return Self.number(json) == nil ? ["\(path): \(json) is not a number"] : []
        case "boolean":
            return Self.isBoolean(json) ? [] : ["\(path): \(json) is not a boolean"]
        default:
            return ["\(path): no type in the schema"]
        }
    }

    /// Compares a Swift value's stored properties with an object schema: the same names
    /// (snake_case), required exactly when not optional; recursively through the values held.
    func problems(swift value: Any, schema raw: [String: Any], at path: String) -> [String] {
        let schema = resolve(raw)
        let mirror = Mirror(reflecting: value)
        switch schema["type"] as? String {
        case "object":
            if let additional = schema["additionalProperties"] as? [String: Any] {
                return mirror.children.flatMap { child in
                    Mirror(reflecting: child.value).children.dropFirst().flatMap {
                        problems(swift: $0.value, schema: additional, at: "\(path)[]")
                    }
                }
            }
            let properties = (schema["properties"] as? [String: Any]) ?? [:]
            let required = Set((schema["required"] as? [String]) ?? [])
            var found: [String] = []
            var names: Set<String> = []
            for child in mirror.children {
                guard let label = child.label else { continue }
                let name = Self.snakeCase(label)
                names.insert(name)
                let inner = Mirror(reflecting: child.value)
                let optional = inner.displayStyle == .optional
                guard let property = properties[name] as? [String: Any] else {
                    found.append("\(path): \(name) is in the type but not in the schema")
                    continue
                }
                if optional && required.contains(name) {
                    found.append("\(path): \(name) is optional in the type but required in the schema")
                }
                if !optional && !required.contains(name) {
                    found.append(
                        "\(path): \(name) is not optional in the type but not required in the schema")
                }
                let held: Any? = optional ? inner.children.first?.value : child.value
                if let held { found += problems(swift: held, schema: property, at: "\(path).\(name)") }
            }
            for name in properties.keys where !names.contains(name) {
                found.append("\(path): \(name) is in the schema but not in the type")
            }
            return found
        case "array":
            let items = (schema["items"] as? [String: Any]) ?? [:]
            return mirror.children.flatMap { problems(swift: $0.value, schema: items, at: "\(path)[]") }
        default:
            return []
        }
    }

    /// A JSON number (an `NSNumber` from `JSONSerialization`, an `Int` or `Double` written in a
    /// test); nil for anything else, a boolean included.
    static func number(_ json: Any) -> Double? {
        if isBoolean(json) || json is String { return nil }
        if let value = json as? Int { return Double(value) }
        if let value = json as? Double { return value }
        return (json as? NSNumber)?.doubleValue
    }

    /// Whether `json` is a JSON boolean. `JSONSerialization` gives booleans as a subclass of
    /// `NSNumber` (`__NSCFBoolean`), which `is Bool` cannot tell from the numbers 0 and 1, and
    /// some numbers as another (`NSDecimalNumber`): the class's name tells.
    static func isBoolean(_ json: Any) -> Bool {
        if let number = json as? NSNumber { return "\(type(of: number))".contains("Boolean") }
        return json is Bool
    }

    /// What `JSONEncoder.KeyEncodingStrategy.convertToSnakeCase` makes of a property name.
    static func snakeCase(_ name: String) -> String {
        var result = ""
        for character in name {
            if character.isUppercase {
                if !result.isEmpty { result += "_" }
                result += character.lowercased()
            } else {
                result.append(character)
            }
        }
        return result
    }
}
