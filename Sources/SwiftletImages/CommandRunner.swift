import Foundation

/// Runs the host tools the minimal store relies on (`cp -a`, `tar`) until the libarchive unpacker exists.
enum CommandRunner {
    /// Runs `executable` with `arguments`; returns stdout. Output goes through files in `scratch`, not pipes,
    /// so a chatty stderr can never block the child while we wait on stdout.
    static func run(_ executable: String, _ arguments: [String], scratch: String) throws -> String {
        let stdoutPath = scratch + "/.stdout-\(UUID().uuidString)"
        let stderrPath = scratch + "/.stderr-\(UUID().uuidString)"
        defer {
            unlink(stdoutPath)
            unlink(stderrPath)
        }
        guard FileManager.default.createFile(atPath: stdoutPath, contents: nil),
              FileManager.default.createFile(atPath: stderrPath, contents: nil),
              let stdout = FileHandle(forWritingAtPath: stdoutPath),
              let stderr = FileHandle(forWritingAtPath: stderrPath)
        else { throw ImageError.fileSystem(path: scratch, operation: "create output file in", errno: errno) }
        defer {
            try? stdout.close()
            try? stderr.close()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = stdout
        process.standardError = stderr
        let command = ([executable] + arguments).joined(separator: " ")
        do {
            try process.run()
        } catch {
            throw ImageError.commandFailed(command: command, status: -1, stderr: "\(error)")
        }
        process.waitUntilExit()
        let output = (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? ""
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let errors = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
            throw ImageError.commandFailed(
                command: command, status: process.terminationStatus,
                stderr: String(errors.trimmingCharacters(in: .whitespacesAndNewlines).prefix(2000)))
        }
        return output
    }
}
