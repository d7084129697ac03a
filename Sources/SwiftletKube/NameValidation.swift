/// The string checks of `k8s.io/apimachinery/pkg/util/validation`, with the same messages.
///
/// Each returns the list of problems (empty when valid), as the Go functions do, so callers
/// can turn every message into its own `FieldError`. Lengths are in bytes, as in Go.
public enum NameValidation {
    public static let dns1123LabelMaxLength = 63
    public static let dns1123SubdomainMaxLength = 253
    public static let qualifiedNameMaxLength = 63
    public static let labelValueMaxLength = 63
    public static let portNameMaxLength = 15

    static let dns1123LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
    static let dns1123LabelErrMsg =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
    static let dns1123SubdomainFmt = dns1123LabelFmt + "(\\." + dns1123LabelFmt + ")*"
    static let dns1123SubdomainErrMsg =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
    static let qualifiedNameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
    static let qualifiedNameErrMsg =
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
    static let labelValueFmt = "(" + qualifiedNameFmt + ")?"
    static let labelValueErrMsg =
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
    static let envVarNameFmt = "[-._a-zA-Z][-._a-zA-Z0-9]*"
    static let envVarNameErrMsg =
        "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit"
    static let cIdentifierFmt = "[A-Za-z_][A-Za-z0-9_]*"
    static let cIdentifierErrMsg =
        "a valid C identifier must start with alphabetic character or '_', followed by a string of alphanumeric characters or '_'"

    public static func maxLenError(_ length: Int) -> String { "must be no more than \(length) characters" }
    public static func emptyError() -> String { "must be non-empty" }
    public static func inclusiveRangeError(_ lo: Int64, _ hi: Int64) -> String {
        "must be between \(lo) and \(hi), inclusive"
    }

    /// Go's `RegexError`, including its quirk: examples are joined as `'a',  or 'b'` (two spaces),
    /// which is what API servers print and scripts may match.
    public static func regexError(_ msg: String, _ fmt: String, _ examples: String...) -> String {
        if examples.isEmpty { return msg + " (regex used for validation is '" + fmt + "')" }
        var out = msg + " (e.g. "
        for (i, example) in examples.enumerated() {
            if i > 0 { out += " or " }
            out += "'" + example + "', "
        }
        return out + "regex used for validation is '" + fmt + "')"
    }

    public static func isDNS1123Label(_ value: String) -> [String] {
        var errs: [String] = []
        if value.utf8.count > dns1123LabelMaxLength { errs.append(maxLenError(dns1123LabelMaxLength)) }
        if !matchesDNS1123Label(Array(value.utf8)[...]) {
            errs.append(regexError(dns1123LabelErrMsg, dns1123LabelFmt, "my-name", "123-abc"))
        }
        return errs
    }

    public static func isDNS1123Subdomain(_ value: String) -> [String] {
        var errs: [String] = []
        if value.utf8.count > dns1123SubdomainMaxLength { errs.append(maxLenError(dns1123SubdomainMaxLength)) }
        let bytes = Array(value.utf8)
        let labels = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        if !labels.allSatisfy(matchesDNS1123Label) {
            errs.append(regexError(dns1123SubdomainErrMsg, dns1123SubdomainFmt, "example.com"))
        }
        return errs
    }

    /// Label keys and (lower-cased) annotation keys: `[prefix/]name`.
    public static func isQualifiedName(_ value: String) -> [String] {
        var errs: [String] = []
        let parts = value.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let name: String
        switch parts.count {
        case 1:
            name = parts[0]
        case 2:
            let prefix = parts[0]
            name = parts[1]
            if prefix.isEmpty {
                errs.append("prefix part " + emptyError())
            } else {
                errs += isDNS1123Subdomain(prefix).map { "prefix part " + $0 }
            }
        default:
            return [
                "a qualified name "
                    + regexError(qualifiedNameErrMsg, qualifiedNameFmt, "MyName", "my.name", "123-abc")
                    + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
            ]
        }
        if name.isEmpty {
            errs.append("name part " + emptyError())
        } else if name.utf8.count > qualifiedNameMaxLength {
            errs.append("name part " + maxLenError(qualifiedNameMaxLength))
        }
        if !matchesQualifiedNamePart(Array(name.utf8)) {
            errs.append("name part " + regexError(qualifiedNameErrMsg, qualifiedNameFmt, "MyName", "my.name", "123-abc"))
        }
        return errs
    }

    public static func isValidLabelValue(_ value: String) -> [String] {
        var errs: [String] = []
        if value.utf8.count > labelValueMaxLength { errs.append(maxLenError(labelValueMaxLength)) }
        let bytes = Array(value.utf8)
        if !bytes.isEmpty && !matchesQualifiedNamePart(bytes) {
            errs.append(regexError(labelValueErrMsg, labelValueFmt, "MyValue", "my_value", "12345"))
        }
        return errs
    }

    public static func isEnvVarName(_ value: String) -> [String] {
        var errs: [String] = []
        let bytes = Array(value.utf8)
        let valid =
            !bytes.isEmpty && isEnvChar(bytes[0]) && !isDigit(bytes[0])
            && bytes.allSatisfy(isEnvChar)
        if !valid {
            errs.append(regexError(envVarNameErrMsg, envVarNameFmt, "my.env-name", "MY_ENV.NAME", "MyEnvName1"))
        }
        errs += hasChDirPrefix(value)
        return errs
    }

    public static func isCIdentifier(_ value: String) -> [String] {
        let bytes = Array(value.utf8)
        let valid =
            !bytes.isEmpty && (isAlpha(bytes[0]) || bytes[0] == UInt8(ascii: "_"))
            && bytes.allSatisfy { isAlpha($0) || isDigit($0) || $0 == UInt8(ascii: "_") }
        return valid ? [] : [regexError(cIdentifierErrMsg, cIdentifierFmt, "my_name", "MY_NAME", "MyName")]
    }

    public static func isValidPortNum(_ port: Int64) -> [String] {
        (1...65535).contains(port) ? [] : [inclusiveRangeError(1, 65535)]
    }

    /// IANA_SVC_NAME (RFC 6335), lower case only, as Kubernetes requires for port names.
    public static func isValidPortName(_ port: String) -> [String] {
        var errs: [String] = []
        let bytes = Array(port.utf8)
        if bytes.count > portNameMaxLength { errs.append(maxLenError(portNameMaxLength)) }
        if bytes.isEmpty || !bytes.allSatisfy({ isLowerAlnum($0) || $0 == UInt8(ascii: "-") }) {
            errs.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
        }
        if !bytes.contains(where: isLowerAlpha) {
            errs.append("must contain at least one letter (a-z)")
        }
        if port.contains("--") { errs.append("must not contain consecutive hyphens") }
        if let first = bytes.first, let last = bytes.last, first == UInt8(ascii: "-") || last == UInt8(ascii: "-") {
            errs.append("must not begin or end with a hyphen")
        }
        return errs
    }

    static func hasChDirPrefix(_ value: String) -> [String] {
        if value == "." { return ["must not be '.'"] }
        if value == ".." { return ["must not be '..'"] }
        if value.hasPrefix("..") { return ["must not start with '..'"] }
        return []
    }

    // MARK: byte-level matchers for the regular expressions above

    static func matchesDNS1123Label(_ b: ArraySlice<UInt8>) -> Bool {
        guard let first = b.first, let last = b.last, isLowerAlnum(first), isLowerAlnum(last) else { return false }
        return b.allSatisfy { isLowerAlnum($0) || $0 == UInt8(ascii: "-") }
    }

    static func matchesQualifiedNamePart(_ b: [UInt8]) -> Bool {
        guard let first = b.first, let last = b.last, isAlnum(first), isAlnum(last) else { return false }
        return b.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }

    static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
    static func isLowerAlpha(_ c: UInt8) -> Bool { c >= 97 && c <= 122 }
    static func isAlpha(_ c: UInt8) -> Bool { isLowerAlpha(c) || (c >= 65 && c <= 90) }
    static func isAlnum(_ c: UInt8) -> Bool { isAlpha(c) || isDigit(c) }
    static func isLowerAlnum(_ c: UInt8) -> Bool { isLowerAlpha(c) || isDigit(c) }
    static func isEnvChar(_ c: UInt8) -> Bool {
        isAlnum(c) || c == UInt8(ascii: "-") || c == UInt8(ascii: ".") || c == UInt8(ascii: "_")
    }
}
