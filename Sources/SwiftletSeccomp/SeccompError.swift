import Foundation

/// Why a profile could not be read, checked or compiled. `field` is a path into the profile
/// (`syscalls[3].args[0].op`); `path` is the profile file, when there is one.
public enum SeccompError: Error, Hashable, Sendable, CustomStringConvertible {
    case unknownAction(field: String, value: String)
    case unknownOperator(field: String, value: String)
    case unknownArchitecture(field: String, value: String)
    case invalidValue(field: String, reason: String)
    /// A libseccomp call failed; `subject` is the syscall or architecture it was about.
    case libseccomp(call: String, subject: String, errno: Int32)
    case unreadable(path: String, errno: Int32)
    case decode(path: String, field: String, reason: String)
    /// A profile file whose contents failed validation.
    indirect case inFile(path: String, SeccompError)

    public var description: String {
        switch self {
        case .unknownAction(let field, let value):
            return "\(field): unknown action \"\(value)\""
        case .unknownOperator(let field, let value):
            return "\(field): unknown operator \"\(value)\""
        case .unknownArchitecture(let field, let value):
            return "\(field): unknown architecture \"\(value)\""
        case .invalidValue(let field, let reason):
            return "\(field): \(reason)"
        case .libseccomp(let call, let subject, let errno):
            return "\(call)(\(subject)): \(errnoName(errno))"
        case .unreadable(let path, let errno):
            return "\(path): cannot read seccomp profile: \(errnoName(errno))"
        case .decode(let path, let field, let reason):
            return field.isEmpty ? "\(path): \(reason)" : "\(path): \(field): \(reason)"
        case .inFile(let path, let error):
            return "\(path): \(error)"
        }
    }
}

private func errnoName(_ code: Int32) -> String {
    guard let message = strerror(code) else { return "errno \(code)" }
    return "\(String(cString: message)) (errno \(code))"
}
