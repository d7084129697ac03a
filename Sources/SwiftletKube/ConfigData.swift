/// What ConfigMap and Secret share: keys checked like the API server's `IsConfigMapKey`, values
/// as UTF-8 text (ConfigMap `data`, Secret `stringData`) or base64 (ConfigMap `binaryData`, Secret
/// `data`), one total size limit, and the `immutable` rule on update.
enum ConfigData {
    /// The validation of one object's maps, in the order the API server reports them.
    struct Validation {
        var errors: [FieldError] = []
        /// Bytes of every value so far (base64 counted decoded).
        var size = 0

        /// A text map; a key also present in `duplicates` is refused (a ConfigMap's `data` against `binaryData`).
        mutating func text(_ entries: [String: String]?, field: String, duplicates: (field: String, entries: [String: String]?)? = nil) {
            for (key, value) in (entries ?? [:]).sorted(by: { $0.key < $1.key }) {
                errors += NameValidation.isConfigMapKey(key).map { .invalid("\(field)[\(key)]", .string(key), $0) }
                if let duplicates, duplicates.entries?[key] != nil {
                    errors.append(.invalid("\(field)[\(key)]", .string(key), "duplicate of key present in \(duplicates.field)"))
                }
                size += value.utf8.count
            }
        }

        /// A base64 map; an undecodable value is reported as `shownAs`, never echoed.
        mutating func base64(_ entries: [String: String]?, field: String, shownAs: String) {
            for (key, value) in (entries ?? [:]).sorted(by: { $0.key < $1.key }) {
                errors += NameValidation.isConfigMapKey(key).map { .invalid("\(field)[\(key)]", .string(key), $0) }
                switch Base64.decode(value) {
                case .success(let bytes): size += bytes.count
                case .failure(let error): errors.append(.invalid("\(field)[\(key)]", .string(shownAs), error.description))
                }
            }
        }

        mutating func limitSize(field: String) {
            if size > ConfigMap.maxSize { errors.append(.tooLong(field, maxLength: ConfigMap.maxSize)) }
        }
    }

    static func bytes(text entries: [String: String]?) -> [String: [UInt8]] {
        (entries ?? [:]).mapValues { Array($0.utf8) }
    }

    /// Invalid base64 is skipped (validation refuses it).
    static func bytes(base64 entries: [String: String]?) -> [String: [UInt8]] {
        (entries ?? [:]).compactMapValues { if case .success(let bytes) = Base64.decode($0) { bytes } else { nil } }
    }

    /// Once an object is immutable it stays so and its data cannot change.
    static func validateImmutable(old: Bool?, new: Bool?, dataChanged: Bool) -> [FieldError] {
        guard old == true else { return [] }
        var errs: [FieldError] = []
        if new != true {
            errs.append(.forbidden("immutable", "field is immutable when `immutable` is set"))
        }
        if dataChanged {
            errs.append(.forbidden("data", "field is immutable when `immutable` is set"))
        }
        return errs
    }
}
