import Foundation

/// Kubernetes label and field selectors (`labelSelector=` / `fieldSelector=` query parameters),
/// parsed and matched without I/O so the API server and the CLI agree on their meaning.

public enum SelectorError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A label selector term that does not parse; carries the term and why.
    case invalidLabelRequirement(term: String, reason: String)
    /// A field selector term without a usable operator.
    case invalidFieldRequirement(term: String)
    /// A field the resource does not index, worded as the API server words it.
    case fieldNotSupported(field: String)

    public var description: String {
        switch self {
        case .invalidLabelRequirement(let term, let reason):
            return "unable to parse requirement: \"\(term)\": \(reason)"
        case .invalidFieldRequirement(let term):
            return "invalid selector: '\(term)'; can't understand '\(term)'"
        case .fieldNotSupported(let field):
            return "field label not supported: \(field)"
        }
    }
}

public struct LabelRequirement: Hashable, Sendable {
    public enum Operator: String, Hashable, Sendable {
        case equals = "="
        case notEquals = "!="
        case `in` = "in"
        case notIn = "notin"
        case exists = "exists"
        case doesNotExist = "!"
    }

    public var key: String
    public var op: Operator
    public var values: [String]

    public init(key: String, op: Operator, values: [String] = []) {
        self.key = key
        self.op = op
        self.values = values
    }

    /// `!=` and `notin` match objects that lack the key, as in `k8s.io/apimachinery/pkg/labels`.
    public func matches(_ labels: [String: String]) -> Bool {
        let value = labels[key]
        switch op {
        case .equals, .in: return value.map(values.contains) ?? false
        case .notEquals, .notIn: return value.map { !values.contains($0) } ?? true
        case .exists: return value != nil
        case .doesNotExist: return value == nil
        }
    }
}

public struct LabelSelector: Hashable, Sendable {
    public var requirements: [LabelRequirement]

    /// The empty selector matches everything.
    public static let everything = LabelSelector(requirements: [])

    public init(requirements: [LabelRequirement]) { self.requirements = requirements }

    public init(parsing text: String) throws(SelectorError) {
        var requirements: [LabelRequirement] = []
        for term in splitTopLevel(text) where !term.isEmpty {
            requirements.append(try LabelSelector.parseRequirement(term))
        }
        self.requirements = requirements
    }

    public func matches(_ labels: [String: String]?) -> Bool {
        let labels = labels ?? [:]
        return requirements.allSatisfy { $0.matches(labels) }
    }

    static func parseRequirement(_ term: String) throws(SelectorError) -> LabelRequirement {
        if term.hasPrefix("!") {
            let key = trim(String(term.dropFirst()))
            try validate(key: key, term: term)
            return LabelRequirement(key: key, op: .doesNotExist)
        }
        for (symbol, op) in [("!=", LabelRequirement.Operator.notEquals), ("==", .equals), ("=", .equals)] {
            if let range = term.range(of: symbol) {
                let key = trim(String(term[..<range.lowerBound]))
                let value = trim(String(term[range.upperBound...]))
                try validate(key: key, term: term)
                try validate(value: value, term: term)
                return LabelRequirement(key: key, op: op, values: [value])
            }
        }
        let keyEnd = term.firstIndex { $0 == " " || $0 == "\t" || $0 == "(" } ?? term.endIndex
        let key = String(term[..<keyEnd])
        try validate(key: key, term: term)
        let rest = trim(String(term[keyEnd...]))
        if rest.isEmpty { return LabelRequirement(key: key, op: .exists) }
        let op: LabelRequirement.Operator
        let setText: String
        if rest.hasPrefix("notin") {
            op = .notIn
            setText = trim(String(rest.dropFirst(5)))
        } else if rest.hasPrefix("in") {
            op = .in
            setText = trim(String(rest.dropFirst(2)))
        } else {
            throw .invalidLabelRequirement(term: term, reason: "expected one of: in, notin, =, ==, !=")
        }
        guard setText.hasPrefix("("), setText.hasSuffix(")"), setText.count >= 2 else {
            throw .invalidLabelRequirement(term: term, reason: "expected a parenthesised set of values")
        }
        let values = setText.dropFirst().dropLast().split(separator: ",", omittingEmptySubsequences: false)
            .map { trim(String($0)) }
        for value in values { try validate(value: value, term: term) }
        return LabelRequirement(key: key, op: op, values: values)
    }

    // Keys are `[prefix/]name`; both parts use DNS-ish characters. Exact length rules are the
    // validation layer's job: here we only refuse what would make the selector ambiguous.
    static func validate(key: String, term: String) throws(SelectorError) {
        guard !key.isEmpty, key.allSatisfy({ isLabelCharacter($0) || $0 == "/" })
        else { throw .invalidLabelRequirement(term: term, reason: "invalid label key \"\(key)\"") }
    }

    static func validate(value: String, term: String) throws(SelectorError) {
        guard value.allSatisfy(isLabelCharacter) else {
            throw .invalidLabelRequirement(term: term, reason: "invalid label value \"\(value)\"")
        }
    }

    static func isLabelCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "-" || c == "_" || c == ".")
    }
}

public struct FieldRequirement: Hashable, Sendable {
    public var field: String
    public var value: String
    /// `true` for `!=`.
    public var negated: Bool

    public init(field: String, value: String, negated: Bool) {
        self.field = field
        self.value = value
        self.negated = negated
    }
}

public struct FieldSelector: Hashable, Sendable {
    public var requirements: [FieldRequirement]

    public static let everything = FieldSelector(requirements: [])

    /// The fields the API server indexes for pods (the subset a node agent knows).
    public static let podFields: Set<String> = [
        "metadata.name", "metadata.namespace", "spec.nodeName", "spec.restartPolicy", "status.phase", "status.podIP",
    ]

    public static let eventFields: Set<String> = [
        "metadata.name", "metadata.namespace", "involvedObject.kind", "involvedObject.namespace",
        "involvedObject.name", "involvedObject.uid", "involvedObject.fieldPath", "reason", "type", "source",
    ]

    public init(requirements: [FieldRequirement]) { self.requirements = requirements }

    /// Parses `a=b,c!=d` and rejects fields outside `supported`.
    public init(parsing text: String, supported: Set<String>) throws(SelectorError) {
        var requirements: [FieldRequirement] = []
        for term in text.split(separator: ",").map({ trim(String($0)) }) where !term.isEmpty {
            var parsed: FieldRequirement?
            for (symbol, negated) in [("!=", true), ("==", false), ("=", false)] {
                if let range = term.range(of: symbol) {
                    parsed = FieldRequirement(
                        field: trim(String(term[..<range.lowerBound])), value: trim(String(term[range.upperBound...])),
                        negated: negated)
                    break
                }
            }
            guard let requirement = parsed, !requirement.field.isEmpty else { throw .invalidFieldRequirement(term: term) }
            guard supported.contains(requirement.field) else { throw .fieldNotSupported(field: requirement.field) }
            requirements.append(requirement)
        }
        self.requirements = requirements
    }

    /// `value(field)` returns the object's value for a field; absent fields compare as "".
    public func matches(_ value: (String) -> String?) -> Bool {
        requirements.allSatisfy { r in
            let actual = value(r.field) ?? ""
            return r.negated ? actual != r.value : actual == r.value
        }
    }

    public func matches(_ pod: Pod) -> Bool { matches { FieldSelector.podField($0, of: pod) } }

    public func matches(_ event: Event) -> Bool { matches { FieldSelector.eventField($0, of: event) } }

    public static func podField(_ field: String, of pod: Pod) -> String? {
        switch field {
        case "metadata.name": return pod.metadata.name
        case "metadata.namespace": return pod.namespace
        case "spec.nodeName": return pod.spec.nodeName
        case "spec.restartPolicy": return pod.spec.restartPolicy?.rawValue
        case "status.phase": return pod.status?.phase?.rawValue
        case "status.podIP": return pod.status?.podIP
        default: return nil
        }
    }

    public static func eventField(_ field: String, of event: Event) -> String? {
        switch field {
        case "metadata.name": return event.metadata.name
        case "metadata.namespace": return event.metadata.namespace ?? "default"
        case "involvedObject.kind": return event.involvedObject.kind
        case "involvedObject.namespace": return event.involvedObject.namespace
        case "involvedObject.name": return event.involvedObject.name
        case "involvedObject.uid": return event.involvedObject.uid
        case "involvedObject.fieldPath": return event.involvedObject.fieldPath
        case "reason": return event.reason
        case "type": return event.type
        case "source": return event.source.component
        default: return nil
        }
    }
}

/// Splits on commas that are not inside `( … )`, so `a in (x,y),b` is two terms.
private func splitTopLevel(_ text: String) -> [String] {
    var terms: [String] = []
    var current = ""
    var depth = 0
    for c in text {
        switch c {
        case "(": depth += 1; current.append(c)
        case ")": depth -= 1; current.append(c)
        case "," where depth == 0: terms.append(trim(current)); current = ""
        default: current.append(c)
        }
    }
    terms.append(trim(current))
    return terms
}

private func trim(_ s: String) -> String {
    var sub = Substring(s)
    while let f = sub.first, f == " " || f == "\t" { sub = sub.dropFirst() }
    while let l = sub.last, l == " " || l == "\t" { sub = sub.dropLast() }
    return String(sub)
}
