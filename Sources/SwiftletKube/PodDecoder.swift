import Foundation

/// Turns a JSON tree into a `Pod`, reporting every problem as a `FieldError` named by its
/// API path instead of stopping at the first `DecodingError`.
///
/// Go decodes enum-like fields as plain strings and lets validation reject bad values; our
/// Swift enums cannot hold them, so those fields are checked on the tree first and the bad
/// values removed. A type mismatch is recorded and the offending value removed, then decoding
/// is retried, so a manifest with several wrong types reports all of them.
public enum PodDecoder {
    /// Upper bound on decode retries: one per reported type error.
    static let maxAttempts = 64

    /// Decodes as much as possible: the pod is nil only when decoding could not get past an error
    /// (for example a required field missing at a non-lenient place).
    public static func decodeLeniently(_ tree: JSONValue) -> (pod: Pod?, errors: [FieldError]) {
        var tree = tree
        var errs = checkEnumFields(&tree)
        var reported = Set<String>()
        for _ in 0..<maxAttempts {
            do {
                let data = try JSONEncoder().encode(tree)
                return (try JSONDecoder().decode(Pod.self, from: data), errs)
            } catch let error as DecodingError {
                let (fieldError, path) = fieldError(for: error, in: tree)
                guard reported.insert(fieldError.field).inserted else { break }
                errs.append(fieldError)
                // Missing values cannot be repaired by removing anything; stop here.
                guard let path, tree.removeValue(at: path) else { break }
            } catch {
                errs.append(FieldError(.internal, field: "", detail: "\(error)"))
                break
            }
        }
        return (nil, errs)
    }

    /// The pod exactly as written, or every decoding error.
    public static func decode(_ tree: JSONValue) -> Result<Pod, FieldErrorList> {
        let (pod, errs) = decodeLeniently(tree)
        guard let pod, errs.isEmpty else { return .failure(FieldErrorList(errs)) }
        return .success(pod)
    }

    /// What the API server does on create: decode, default, validate. Returns the defaulted pod,
    /// or decoding and validation errors together (a field already reported as badly typed is
    /// not reported again as missing).
    public static func decodeDefaultedAndValidated(_ tree: JSONValue) -> Result<Pod, FieldErrorList> {
        var (pod, errs) = decodeLeniently(tree)
        if let decoded = pod {
            let defaulted = decoded.withDefaults()
            let seen = Set(errs.map(\.field))
            errs += defaulted.validate().filter { !seen.contains($0.field) }
            pod = defaulted
        }
        guard let pod, errs.isEmpty else { return .failure(FieldErrorList(errs)) }
        return .success(pod)
    }

    /// Validates and removes enum-typed string fields whose value the Swift enum cannot hold.
    static func checkEnumFields(_ tree: inout JSONValue) -> [FieldError] {
        var errs: [FieldError] = []
        func check(_ path: [JSONValue.PathElement], supported: [String]) {
            guard let value = tree.value(at: path)?.stringValue, !supported.contains(value) else { return }
            let field = JSONValue.fieldPath(path)
            errs.append(value.isEmpty ? .required(field) : .notSupported(field, .string(value), supported: supported))
            tree.removeValue(at: path)
        }
        check([.key("spec"), .key("restartPolicy")], supported: RestartPolicy.allCases.map(\.rawValue).sorted())
        for list in ["containers", "initContainers"] {
            guard case .array(let items)? = tree.value(at: [.key("spec"), .key(list)]) else { continue }
            for i in items.indices {
                check(
                    [.key("spec"), .key(list), .index(i), .key("imagePullPolicy")],
                    supported: PullPolicy.allCases.map(\.rawValue).sorted())
            }
        }
        return errs
    }

    static func path(_ codingPath: [any CodingKey]) -> [JSONValue.PathElement] {
        codingPath.map { key in key.intValue.map { .index($0) } ?? .key(key.stringValue) }
    }

    /// The field error for a decoding failure, and the tree path whose removal may let decoding continue.
    static func fieldError(for error: DecodingError, in tree: JSONValue) -> (FieldError, [JSONValue.PathElement]?) {
        switch error {
        case .typeMismatch(let type, let context):
            let p = path(context.codingPath)
            let actual = tree.value(at: p).map { v in
                v.typeName == "string" || v.typeName == "number" ? "\(v.typeName) \(v.shortDescription)" : v.typeName
            } ?? "null"
            return (FieldError(.typeInvalid(expected: jsonTypeName(type), actual: actual), field: JSONValue.fieldPath(p)), p)
        case .valueNotFound(_, let context):
            let p = path(context.codingPath)
            return (.required(JSONValue.fieldPath(p)), p)
        case .keyNotFound(let key, let context):
            let p = path(context.codingPath + [key])
            return (.required(JSONValue.fieldPath(p)), nil)
        case .dataCorrupted(let context):
            let p = path(context.codingPath)
            let value: FieldError.Value
            switch tree.value(at: p) {
            case .string(let s)?: value = .string(s)
            case .int(let i)?: value = .int(i)
            case .bool(let b)?: value = .bool(b)
            default: value = .null
            }
            return (.invalid(JSONValue.fieldPath(p), value, context.debugDescription), p.isEmpty ? nil : p)
        @unknown default:
            return (FieldError(.internal, field: "", detail: "\(error)"), nil)
        }
    }

    static func jsonTypeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "string"
        case is Bool.Type: return "boolean"
        case is Int.Type, is Int32.Type, is Int64.Type, is UInt16.Type, is UInt32.Type, is UInt64.Type: return "integer"
        case is Double.Type, is Float.Type: return "number"
        default:
            let name = "\(type)"
            if name.hasPrefix("Array") || name.hasPrefix("[") && !name.contains(":") { return "array" }
            return "object"
        }
    }
}
