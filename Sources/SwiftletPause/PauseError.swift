/// Why a container could not be started: a system call failed, or its launch spec cannot be read.
/// The agent shows the description after `error ` in the reply.
enum PauseError: Error, CustomStringConvertible {
    case system(SystemError)
    case launchSpec(LaunchSpec.DecodeError)

    var description: String {
        switch self {
        case .system(let error): return error.description
        case .launchSpec(let error): return error.description
        }
    }
}
