import CSwiftletShim
import Glibc
import SwiftletSystem

extension ContainerSetup {
    /// The console socket swiftlet-pause passes as fd 3 to `tty: true` containers (runc's `--console-socket`).
    static let consoleSocket: Int32 = 3

    /// `tty: true`: a terminal from the container's own devpts (after pivot_root, so `tty` names a
    /// device that exists inside), made the command's stdio and controlling terminal; the master
    /// goes to swiftlet-pause, which logs what the terminal shows and feeds it `attach` input.
    func attachTerminal() throws {
        guard spec.tty else { return }
        let terminal = try PseudoTerminal.open()
        // Owned by the container's user, as runc does, so it may reopen its terminal by name.
        if let security = spec.security { _ = fchown(terminal.replica, security.uid, gid_t.max) }
        // swiftlet-pause made us a session leader (setsid) before exec.
        guard swl_set_controlling_terminal(terminal.replica) == 0 else {
            throw ContainerSetupError(stage: "set the controlling terminal", detail: "\(SystemError("ioctl", "TIOCSCTTY"))")
        }
        guard swl_send_fd(Self.consoleSocket, terminal.master) == 0 else {
            throw ContainerSetupError(stage: "send the terminal to swiftlet-pause", detail: "\(SystemError("sendmsg", "console socket"))")
        }
        close(Self.consoleSocket)
        close(terminal.master)
        // Last: until here, errors still reach the log through the output pipes.
        for fd: Int32 in 0...2 { dup2(terminal.replica, fd) }
        close(terminal.replica)
    }
}
