import CSwiftletShim
import Foundation
import SwiftletKube
import SwiftletSystem

/// What the runtime tells every plugin about the container (the CNI_* variables and the
/// capability arguments that become `runtimeConfig`).
public struct CNIRuntimeConf: Hashable, Sendable, Codable {
    public var containerID: String
    /// Path of the network namespace (`CNI_NETNS`).
    public var netns: String
    public var ifName: String
    /// `CNI_ARGS` pairs, in order.
    public var args: [[String]]
    /// Capability name → value (`portMappings`, `bandwidth`), passed to plugins that declare it.
    public var capabilityArgs: [String: JSONValue]

    public init(containerID: String, netns: String, ifName: String, args: [(String, String)], capabilityArgs: [String: JSONValue] = [:]) {
        self.containerID = containerID
        self.netns = netns
        self.ifName = ifName
        self.args = args.map { [$0.0, $0.1] }
        self.capabilityArgs = capabilityArgs
    }

    /// `K1=V1;K2=V2`.
    public var argsString: String {
        args.compactMap { $0.count == 2 ? "\($0[0])=\($0[1])" : nil }.joined(separator: ";")
    }

    /// The environment of a plugin call: the agent's own (plugins such as portmap need PATH to
    /// find iptables), minus stray CNI_* variables, plus the call's CNI_* variables.
    public func environment(command: CNICommand, binDirectories: [String], base: [String: String]) -> [String] {
        var env = base.filter { !$0.key.hasPrefix("CNI_") }
        if env["PATH"] == nil { env["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" }
        env["CNI_COMMAND"] = command.rawValue
        env["CNI_CONTAINERID"] = containerID
        env["CNI_NETNS"] = netns
        env["CNI_IFNAME"] = ifName
        env["CNI_ARGS"] = argsString
        env["CNI_PATH"] = binDirectories.joined(separator: ":")
        return env.map { "\($0.key)=\($0.value)" }.sorted()
    }
}

/// Runs one plugin binary the way the CNI spec describes: configuration on stdin, parameters in
/// the environment, the result (or an error object) on stdout. posix_spawn only — the agent
/// never forks.
public struct CNIExecutor: Sendable {
    public var binDirectories: [String]
    /// A plugin that has not finished by then is killed and the call fails.
    public var timeoutSeconds: Double

    public init(binDirectories: [String], timeoutSeconds: Double = 120) {
        self.binDirectories = binDirectories
        self.timeoutSeconds = timeoutSeconds
    }

    /// Runs `plugin` and returns its stdout on success; a non-zero exit becomes the plugin's own
    /// error object, or libcni's wording when it printed none.
    public func invoke(_ command: CNICommand, plugin: String, input: JSONValue, runtime: CNIRuntimeConf) throws(CNIError) -> [UInt8] {
        let stdinBytes: [UInt8]
        do { stdinBytes = Array(try KubeJSON.encode(input)) } catch {
            throw CNIError(code: CNIError.Code.internal, msg: "cannot encode the configuration for \(plugin): \(error)")
        }
        let env = runtime.environment(
            command: command, binDirectories: binDirectories, base: ProcessInfo.processInfo.environment)
        let run: ProcessOutput
        do { run = try ProcessOutput.run(path: plugin, environment: env, stdin: stdinBytes, timeoutSeconds: timeoutSeconds) } catch {
            throw CNIError(code: CNIError.Code.ioFailure, msg: "failed to run \(plugin): \(error)")
        }
        if run.timedOut {
            throw CNIError(code: CNIError.Code.ioFailure, msg: "netplugin \(plugin) did not finish within \(Int(timeoutSeconds))s and was killed")
        }
        guard run.exitCode == 0 else {
            throw Self.pluginError(status: run.statusDescription, stdout: run.stdout, stderr: run.stderr)
        }
        return run.stdout
    }

    /// libcni's `pluginErr`: the error object the plugin printed, else a message built from stderr.
    static func pluginError(status: String, stdout: [UInt8], stderr: [UInt8]) -> CNIError {
        if stdout.isEmpty {
            if stderr.isEmpty {
                return CNIError(code: CNIError.Code.internal, msg: "netplugin failed with no error message: \(status)")
            }
            return CNIError(code: CNIError.Code.internal, msg: "netplugin failed: \(goQuoted(stderr))")
        }
        guard let tree = try? JSONValue.parse(Data(stdout)), case .object(let object) = tree else {
            return CNIError(
                code: CNIError.Code.internal,
                msg: "netplugin failed but error parsing its diagnostic message \(goQuoted(stdout)): invalid JSON")
        }
        var code = CNIError.Code.internal
        if case .int(let c)? = object["code"] { code = Int(c) }
        return CNIError(code: code, msg: object["msg"]?.stringValue ?? "", details: object["details"]?.stringValue ?? "")
    }

    static func goQuoted(_ bytes: [UInt8]) -> String {
        SwiftletKube.goQuoted(String(decoding: bytes, as: UTF8.self))
    }
}

/// A child process's exit and output, collected without deadlocking on full pipes.
struct ProcessOutput {
    var exitCode: Int32
    var signal: Int32
    var stdout: [UInt8]
    var stderr: [UInt8]
    var timedOut: Bool

    var statusDescription: String { signal != 0 ? "signal: \(signal)" : "exit status \(exitCode)" }

    static let outputLimit = 16 << 20

    static func run(path: String, environment: [String], stdin input: [UInt8], timeoutSeconds: Double) throws -> ProcessOutput {
        let inPipe = try Spawn.pipe()
        let outPipe: (read: Int32, write: Int32)
        let errPipe: (read: Int32, write: Int32)
        do { outPipe = try Spawn.pipe() } catch {
            close(inPipe.read)
            close(inPipe.write)
            throw error
        }
        do { errPipe = try Spawn.pipe() } catch {
            [inPipe.read, inPipe.write, outPipe.read, outPipe.write].forEach { close($0) }
            throw error
        }
        let pid: pid_t
        do {
            pid = try Spawn.spawn(
                path: path, arguments: [path], environment: environment,
                stdin: .fd(inPipe.read), stdout: .fd(outPipe.write), stderr: .fd(errPipe.write))
        } catch {
            [inPipe.read, inPipe.write, outPipe.read, outPipe.write, errPipe.read, errPipe.write].forEach { close($0) }
            throw error
        }
        close(inPipe.read)
        close(outPipe.write)
        close(errPipe.write)
        _ = fcntl(inPipe.write, F_SETFL, fcntl(inPipe.write, F_GETFL) | O_NONBLOCK)

        var stdinFD: Int32 = input.isEmpty ? -1 : inPipe.write
        if input.isEmpty { close(inPipe.write) }
        var outFD = outPipe.read, errFD = errPipe.read
        var written = 0
        var out: [UInt8] = [], err: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        let deadline = Monotonic.now() + timeoutSeconds
        var timedOut = false
        while outFD >= 0 || errFD >= 0 {
            var fds: [pollfd] = []
            if stdinFD >= 0 { fds.append(pollfd(fd: stdinFD, events: Int16(POLLOUT), revents: 0)) }
            if outFD >= 0 { fds.append(pollfd(fd: outFD, events: Int16(POLLIN), revents: 0)) }
            if errFD >= 0 { fds.append(pollfd(fd: errFD, events: Int16(POLLIN), revents: 0)) }
            let remaining = deadline - Monotonic.now()
            if remaining <= 0 && !timedOut {
                timedOut = true
                kill(pid, SIGKILL)
            }
            let wait = timedOut ? 1000 : Int32(min(max(remaining * 1000, 1), 1000))
            let n = poll(&fds, nfds_t(fds.count), wait)
            if n < 0 && swl_errno() != EINTR { break }
            for pfd in fds where pfd.revents != 0 {
                if pfd.fd == stdinFD {
                    let w = input.withUnsafeBytes { raw -> Int in
                        guard let base = raw.baseAddress else { return 0 }
                        return Glibc.write(stdinFD, base + written, raw.count - written)
                    }
                    if w > 0 { written += w }
                    if written >= input.count || (w < 0 && swl_errno() != EAGAIN && swl_errno() != EINTR) {
                        close(stdinFD)
                        stdinFD = -1
                    }
                } else {
                    let r = buffer.withUnsafeMutableBytes { Glibc.read(pfd.fd, $0.baseAddress, $0.count) }
                    if r > 0 {
                        if pfd.fd == outFD {
                            if out.count < outputLimit { out += buffer[0..<r] }
                        } else if err.count < outputLimit {
                            err += buffer[0..<r]
                        }
                    } else if r == 0 || (swl_errno() != EAGAIN && swl_errno() != EINTR) {
                        close(pfd.fd)
                        if pfd.fd == outFD { outFD = -1 } else { errFD = -1 }
                    }
                }
            }
        }
        if stdinFD >= 0 { close(stdinFD) }
        if outFD >= 0 { close(outFD) }
        if errFD >= 0 { close(errFD) }
        let status = try Spawn.wait(pid)
        let termSignal = status & 0x7f
        return ProcessOutput(
            exitCode: termSignal == 0 ? (status >> 8) & 0xff : 128 + termSignal, signal: termSignal,
            stdout: out, stderr: err, timedOut: timedOut)
    }
}

/// CLOCK_MONOTONIC seconds: deadlines that wall-clock changes do not move.
enum Monotonic {
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
