/// Every validation failure of one object, reported together.
///
/// `description` is the API server's aggregate form (`utilerrors.NewAggregate(errs).Error()`):
/// a single error prints alone, several print as `[a, b, c]`, exact repeats are dropped.
/// `lines` gives one error per line, which is what the CLI prints under a header.
public struct FieldErrorList: Error, Hashable, Sendable, CustomStringConvertible {
    public var errors: [FieldError]

    public init(_ errors: [FieldError]) { self.errors = errors }

    public var isEmpty: Bool { errors.isEmpty }
    public var count: Int { errors.count }

    /// Messages with exact duplicates removed, first occurrence kept.
    public var messages: [String] {
        var seen = Set<String>()
        return errors.map(\.description).filter { seen.insert($0).inserted }
    }

    public var description: String {
        let m = messages
        switch m.count {
        case 0: return ""
        case 1: return m[0]
        default: return "[" + m.joined(separator: ", ") + "]"
        }
    }

    /// One error per line, for terminals.
    public var lines: String { messages.joined(separator: "\n") }

    /// The `metav1.Status` message of a 422 response: `Pod "web" is invalid: [...]`.
    public func statusMessage(kind: String, name: String) -> String {
        "\(kind) \(goQuoted(name)) is invalid: \(description)"
    }

    /// Throws `self` when it holds any error.
    public func throwIfAny() throws(FieldErrorList) {
        if !errors.isEmpty { throw self }
    }
}
