import Foundation

/// Finds an alias's latest decision for `lbd explain`: from the running lbd when one answers
/// at `url`, else from the decisions file of `stateDirectory`.
public struct AliasExplainer: Sendable {
    /// The running lbd to ask; nil reads the state directory only.
    public var client: AliasExplanationClient?
    public var stateDirectory: String

    public init(client: AliasExplanationClient?, stateDirectory: String) {
        self.client = client
        self.stateDirectory = stateDirectory
    }

    public func explain(_ alias: String) async throws(AliasExplanationFailure) -> AliasExplanation {
        let wanted = AliasConfiguration.normalisedName(alias)
        var unreachable: AliasExplanationError?
        if let client {
            do {
                return try await running(client, wanted)
            } catch .running(let error) {
                // Only silence sends `lbd explain` to the file: an lbd that refuses (a token is
                // missing) must be answered, not replaced by an older decision.
                guard case .unreachable = error else { throw .running(error) }
                unreachable = error
            }
        }
        let path = DecisionsFile.path(inStateDirectory: stateDirectory)
        let contents: DecisionsFile.Contents
        do {
            contents = try DecisionsFile.read(path)
        } catch {
            if case .missing = error, let unreachable {
                throw .nothingToRead(running: unreachable, file: error)
            }
            throw .decisionsFile(error)
        }
        guard let evaluation = contents.evaluations[wanted] else {
            throw .unknownAlias(
                wanted,
                closeNames: AliasNameSuggestions.close(to: wanted, in: Array(contents.evaluations.keys)),
                source: path)
        }
        return AliasExplanation(
            evaluation: evaluation, instance: contents.instance,
            source: .stateFile(path: path, writtenAt: contents.writtenAt))
    }

    private func running(_ client: AliasExplanationClient, _ alias: String)
        async throws(AliasExplanationFailure)
        -> AliasExplanation
    {
        let answer: AliasExplanationClient.Answer
        do {
            answer = try await client.explain(alias)
        } catch {
            throw .running(error)
        }
        switch answer {
        case .unknown(let served):
            throw .unknownAlias(
                alias, closeNames: AliasNameSuggestions.close(to: alias, in: served),
                source: "the aliases the lbd at \(client.baseURL) serves")
        case .decision(let detail, let instance, let json):
            let evaluation: AliasEvaluation?
            do {
                evaluation = try detail.evaluation()
            } catch {
                throw .running(.notAnAnswer(url: client.baseURL, detail: error.reason))
            }
            guard let evaluation else { throw .notEvaluatedYet(alias, url: client.baseURL) }
            return AliasExplanation(
                evaluation: evaluation, instance: instance, source: .running(url: client.baseURL),
                answer: json)
        }
    }
}
