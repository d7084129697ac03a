import Foundation
import SwiftletSystem

/// Where the network configuration and plugins are found: `--cni-conf-dir` and `--cni-bin-dir`.
public struct CNIConfigDirectory: Hashable, Sendable {
    public var confDirectory: String
    public var binDirectories: [String]

    public init(confDirectory: String, binDirectories: [String]) {
        self.confDirectory = confDirectory
        self.binDirectories = binDirectories
    }

    /// What the configuration directory says about pod networking.
    public enum Selection: Hashable, Sendable {
        /// No configuration file at all: pods get an isolated network namespace with loopback only.
        case none
        case network(NetworkConfigList)
    }

    public struct Skipped: Hashable, Sendable {
        public var file: String
        public var reason: String
    }

    /// Configuration files (`.conf`, `.conflist`, `.json`) in name order, as libcni's `ConfFiles`.
    public static func configFiles(in directory: String) -> [String] {
        FileIO.list(directory)
            .filter { name in [".conf", ".conflist", ".json"].contains { name.hasSuffix($0) } && !name.hasPrefix(".") }
            .filter { !FileIO.isDirectory(directory + "/" + $0) }
            .sorted()
    }

    /// The network every pod joins: the first file, in name order, that parses, has plugins and
    /// whose plugins are all installed (the kubelet's `getDefaultCNINetwork`). Files that fail are
    /// skipped and returned in `skipped`; if files exist but none is usable it is an error, so a
    /// broken configuration never silently leaves pods without their network.
    public func select() throws(CNIError) -> (selection: Selection, skipped: [Skipped]) {
        let files = Self.configFiles(in: confDirectory)
        if files.isEmpty { return (.none, []) }
        var skipped: [Skipped] = []
        for file in files {
            let path = confDirectory + "/" + file
            guard let data = FileManager.default.contents(atPath: path) else {
                skipped.append(Skipped(file: path, reason: "cannot be read"))
                continue
            }
            do {
                let list = try NetworkConfigList.parse(data, isList: file.hasSuffix(".conflist"), source: path)
                for plugin in list.plugins { _ = try findPlugin(plugin.type) }
                return (.network(list), skipped)
            } catch {
                skipped.append(Skipped(file: path, reason: error.description))
            }
        }
        let reasons = skipped.map { "\($0.file): \($0.reason)" }.joined(separator: "; ")
        throw CNIError(
            code: CNIError.Code.invalidNetworkConfig, msg: "no valid networks found in \(confDirectory)", details: reasons)
    }

    /// The plugin executable for `type`: the first regular file of that name in the binary
    /// directories, in order (libcni's `FindInPath`).
    public func findPlugin(_ type: String) throws(CNIError) -> String {
        for dir in binDirectories where !dir.isEmpty {
            let path = dir + "/" + type
            var st = stat()
            if stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG { return path }
        }
        throw CNIError(
            code: CNIError.Code.invalidNetworkConfig,
            msg: "failed to find plugin \"\(type)\" in path [\(binDirectories.joined(separator: " "))]")
    }
}
