/// Answers one read request from an object table: GET, GETNEXT and GETBULK as RFC 3416 section
/// 4.2 says, or as RFC 1157 says for v1 (errors instead of exceptions, no Counter64: RFC 3584
/// section 4.2.2.1).
///
/// Invariant: the response's variable bindings never take more than `sizeBudget` bytes; a GETBULK
/// is cut short to fit, anything else becomes `tooBig`.
struct AgentPDUResponder: Sendable {
    let objects: AgentObjectTable
    let version: SNMPVersion
    /// Bytes the encoded variable bindings may take in the response.
    let sizeBudget: Int

    /// Whether this agent answers requests of `kind`: not v1 GETBULK, nor responses, traps and
    /// reports, which are dropped.
    func answers(_ kind: PDU.Kind) -> Bool {
        switch kind {
        case .getRequest, .getNextRequest, .setRequest: return true
        case .getBulkRequest: return version != .v1
        case .response, .trap, .report, .informRequest: return false
        }
    }

    /// The response to `request`, whose kind this agent `answers`.
    func response(to request: PDU) async -> PDU {
        do throws(Failure) {
            switch request.kind {
            case .getRequest: return try await get(request)
            case .getNextRequest: return try await getNext(request)
            case .getBulkRequest: return try await getBulk(request)
            case .setRequest: return refusedSet(request)
            case .response, .trap, .report, .informRequest:
                return failure(.genErr, index: 0, to: request)
            }
        } catch {
            return failure(error.status, index: error.index, to: request)
        }
    }

    /// A request that fails as a whole: `status` at the 1-based `index`.
    private struct Failure: Error {
        var status: SNMPErrorStatus
        var index: Int
    }

    /// What a provider gave for an object.
    private enum Fetched {
        case value(SNMPValue)
        /// The provider says there is no value now, or v1 cannot carry it.
        case absent
    }

    private func get(_ request: PDU) async throws(Failure) -> PDU {
        var bindings: [VariableBinding] = []
        for (position, binding) in request.variableBindings.enumerated() {
            let fetched = try await fetch(binding.oid, position: position)
            bindings.append(try answer(binding.oid, fetched, position: position))
        }
        return try fitted(bindings, to: request)
    }

    /// The response to `request` when it needs no provider to be awaited: a GET whose every value
    /// is at hand, or a SET; `nil` otherwise. Same answer as `response(to:)`, without a task.
    func immediateResponse(to request: PDU) -> PDU? {
        switch request.kind {
        case .getRequest:
            do throws(Failure) {
                var bindings: [VariableBinding] = []
                bindings.reserveCapacity(request.variableBindings.count)
                for (position, binding) in request.variableBindings.enumerated() {
                    let fetched: Fetched
                    switch objects.immediateValue(for: binding.oid) {
                    case .unregistered: fetched = .absent
                    case .pending: return nil
                    case .value(let value): fetched = classify(value)
                    }
                    bindings.append(try answer(binding.oid, fetched, position: position))
                }
                return try fitted(bindings, to: request)
            } catch {
                return failure(error.status, index: error.index, to: request)
            }
        case .setRequest:
            return refusedSet(request)
        case .getNextRequest, .getBulkRequest, .response, .trap, .report, .informRequest:
            return nil
        }
    }

    /// Read-only: v2c's noAccess; v1 has only noSuchName for it (RFC 3584 section 4.4).
    private func refusedSet(_ request: PDU) -> PDU {
        let status: SNMPErrorStatus = version == .v1 ? .noSuchName : .noAccess
        return failure(status, index: request.variableBindings.isEmpty ? 0 : 1, to: request)
    }

    /// The binding a GET answers for `oid`, given what its provider gave.
    private func answer(_ oid: OID, _ fetched: Fetched, position: Int) throws(Failure) -> VariableBinding {
        switch fetched {
        case .value(let value):
            return VariableBinding(oid: oid, value: value)
        case .absent where version == .v1:
            throw Failure(status: .noSuchName, index: position + 1)
        case .absent:
            let missing: SNMPValue =
                objects.provider(for: oid) != nil || objects.hasObject(enclosing: oid)
                ? .noSuchInstance : .noSuchObject
            return VariableBinding(oid: oid, value: missing)
        }
    }

    private func getNext(_ request: PDU) async throws(Failure) -> PDU {
        var bindings: [VariableBinding] = []
        for (position, binding) in request.variableBindings.enumerated() {
            bindings.append(try await next(after: binding.oid, position: position))
        }
        return try fitted(bindings, to: request)
    }

    private func getBulk(_ request: PDU) async throws(Failure) -> PDU {
        let requested = request.variableBindings
        let nonRepeaters = min(max(request.nonRepeaters, 0), requested.count)
        let maxRepetitions = max(request.maxRepetitions, 0)
        var bindings: [VariableBinding] = []
        var size = 0
        for position in 0..<nonRepeaters {
            let binding = try await next(after: requested[position].oid, position: position)
            size += Self.encodedSize(of: binding)
            guard size <= sizeBudget else { throw Failure(status: .tooBig, index: 0) }
            bindings.append(binding)
        }
        var cursors = requested[nonRepeaters...].map(\.oid)
        repetitions: for _ in 0..<maxRepetitions {
            guard !cursors.isEmpty else { break }
            var allEnded = true
            for column in cursors.indices {
                let binding = try await next(after: cursors[column], position: nonRepeaters + column)
                size += Self.encodedSize(of: binding)
                guard size <= sizeBudget else { break repetitions }
                bindings.append(binding)
                cursors[column] = binding.oid
                if binding.value != .endOfMibView { allEnded = false }
            }
            if allEnded { break }
        }
        return PDU(kind: .response, requestID: request.requestID, variableBindings: bindings)
    }

    /// The first object after `oid` that has a value, or endOfMibView (noSuchName in v1).
    private func next(after oid: OID, position: Int) async throws(Failure) -> VariableBinding {
        var index = objects.firstIndex(after: oid)
        while index < objects.oids.count {
            let candidate = objects.oids[index]
            if case .value(let value) = try await fetch(candidate, position: position) {
                return VariableBinding(oid: candidate, value: value)
            }
            index += 1
        }
        guard version != .v1 else { throw Failure(status: .noSuchName, index: position + 1) }
        return VariableBinding(oid: oid, value: .endOfMibView)
    }

    /// Calls the provider of `oid`; a provider that throws fails the request with `genErr`.
    private func fetch(_ oid: OID, position: Int) async throws(Failure) -> Fetched {
        guard let provider = objects.provider(for: oid) else { return .absent }
        let value: SNMPValue
        do {
            value = try await provider()
        } catch {
            throw Failure(status: .genErr, index: position + 1)
        }
        return classify(value)
    }

    /// A provider's value as a GET answers it: exceptions, and Counter64 in v1, are absent.
    private func classify(_ value: SNMPValue) -> Fetched {
        if value.isException { return .absent }
        if version == .v1, case .counter64 = value { return .absent }
        return .value(value)
    }

    /// A response with `bindings`, or `tooBig` if they do not fit.
    private func fitted(_ bindings: [VariableBinding], to request: PDU) throws(Failure) -> PDU {
        var size = 0
        for binding in bindings { size += Self.encodedSize(of: binding) }
        guard size <= sizeBudget else { throw Failure(status: .tooBig, index: 0) }
        return PDU(kind: .response, requestID: request.requestID, variableBindings: bindings)
    }

    /// The error response to `request`: its own bindings back (RFC 3416 section 4.2.1), except
    /// that a v2c `tooBig` carries none.
    func failure(_ status: SNMPErrorStatus, index: Int, to request: PDU) -> PDU {
        let bindings = status == .tooBig && version != .v1 ? [] : request.variableBindings
        return PDU(
            kind: .response, requestID: request.requestID, errorStatus: status.rawValue, errorIndex: index,
            variableBindings: bindings)
    }

    /// The octets `binding` takes in the response, computed without encoding it.
    static func encodedSize(of binding: VariableBinding) -> Int {
        binding.encodedSize
    }
}
