import CSeccomp

/// What the kernel does with a matching syscall (`SCMP_ACT_*`).
enum SeccompAction: Hashable, Sendable {
    case killThread
    case killProcess
    case trap
    case errno(UInt16)
    case trace(UInt16)
    case log
    case allow

    static let eperm: UInt32 = 1

    /// `errnoRet` is the errno for ERRNO (EPERM when absent) and the tracer's message for TRACE.
    init(_ name: String, errnoRet: UInt32?, field: String) throws(SeccompError) {
        func code() throws(SeccompError) -> UInt16 {
            let value = errnoRet ?? Self.eperm
            guard let code = UInt16(exactly: value) else {
                throw .invalidValue(field: field, reason: "errnoRet \(value) does not fit the 16-bit action data")
            }
            return code
        }
        switch name {
        case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD": self = .killThread
        case "SCMP_ACT_KILL_PROCESS": self = .killProcess
        case "SCMP_ACT_TRAP": self = .trap
        case "SCMP_ACT_ERRNO": self = .errno(try code())
        case "SCMP_ACT_TRACE": self = .trace(try code())
        case "SCMP_ACT_LOG": self = .log
        case "SCMP_ACT_ALLOW": self = .allow
        case "SCMP_ACT_NOTIFY":
            // A user-space listener needs the seccomp(2) fd, which a filter installed with prctl never yields.
            throw .invalidValue(field: field, reason: "SCMP_ACT_NOTIFY is not supported")
        default: throw .unknownAction(field: field, value: name)
        }
    }

    var libseccompValue: UInt32 {
        switch self {
        case .killThread: SCMP_ACT_KILL_THREAD
        case .killProcess: SCMP_ACT_KILL_PROCESS
        case .trap: SCMP_ACT_TRAP
        case .errno(let code): cseccomp_act_errno(code)
        case .trace(let message): cseccomp_act_trace(message)
        case .log: SCMP_ACT_LOG
        case .allow: SCMP_ACT_ALLOW
        }
    }
}

/// How a syscall argument is compared (`SCMP_CMP_*`).
enum SeccompOperator: String, Hashable, Sendable {
    case notEqual = "SCMP_CMP_NE"
    case lessThan = "SCMP_CMP_LT"
    case lessOrEqual = "SCMP_CMP_LE"
    case equal = "SCMP_CMP_EQ"
    case greaterOrEqual = "SCMP_CMP_GE"
    case greaterThan = "SCMP_CMP_GT"
    case maskedEqual = "SCMP_CMP_MASKED_EQ"

    var libseccompValue: scmp_compare {
        switch self {
        case .notEqual: SCMP_CMP_NE
        case .lessThan: SCMP_CMP_LT
        case .lessOrEqual: SCMP_CMP_LE
        case .equal: SCMP_CMP_EQ
        case .greaterOrEqual: SCMP_CMP_GE
        case .greaterThan: SCMP_CMP_GT
        case .maskedEqual: SCMP_CMP_MASKED_EQ
        }
    }
}
