import Foundation

/// Decodes a stored kind (ConfigMap, Secret, ...) from a JSON tree as the API server does on
/// create: decode, default, validate, every problem named by its field path.
public enum KubeObjectDecoder {
    public static func decodeDefaultedAndValidated(
        _ type: any KubeObject.Type, _ tree: JSONValue
    ) -> Result<AnyKubeObject, FieldErrorList> {
        decode(type, tree)
    }

    static func decode<T: KubeObject>(_ type: T.Type, _ tree: JSONValue) -> Result<AnyKubeObject, FieldErrorList> {
        let object: T
        do {
            object = try JSONDecoder().decode(T.self, from: try JSONEncoder().encode(tree))
        } catch let error as DecodingError {
            return .failure(FieldErrorList([PodDecoder.fieldError(for: error, in: tree).0]))
        } catch {
            return .failure(FieldErrorList([FieldError(.internal, field: "", detail: "\(error)")]))
        }
        return validatedTyped(object)
    }

    /// Defaults and validates an object already decoded (the API's request bodies).
    public static func validatedTyped<T: KubeObject>(_ object: T) -> Result<AnyKubeObject, FieldErrorList> {
        var object = object
        object.applyDefaults()
        let errors = object.validate()
        guard errors.isEmpty else { return .failure(FieldErrorList(errors)) }
        return .success(AnyKubeObject(object))
    }

    /// Decodes JSON bytes (an API request body) as the stored kind `type`.
    public static func decode(_ type: any KubeObject.Type, json data: Data) throws -> any KubeObject {
        try decodeTyped(type, data)
    }

    static func decodeTyped<T: KubeObject>(_ type: T.Type, _ data: Data) throws -> any KubeObject {
        try JSONDecoder().decode(T.self, from: data)
    }

    /// `validated` for an existential.
    public static func validated(_ object: any KubeObject) -> Result<AnyKubeObject, FieldErrorList> {
        validated(opening: object)
    }

    static func validated<T: KubeObject>(opening object: T) -> Result<AnyKubeObject, FieldErrorList> {
        validatedTyped(object)
    }

    /// `ValidateUpdate` between two objects of the same kind; a kind mismatch is an error.
    public static func validateUpdate(_ new: any KubeObject, from old: any KubeObject) -> [FieldError] {
        update(new, old)
    }

    static func update<T: KubeObject>(_ new: T, _ old: any KubeObject) -> [FieldError] {
        guard let old = old as? T else { return [.invalid("kind", .string(T.kind), "kind may not change")] }
        return new.validateUpdate(from: old)
    }
}
