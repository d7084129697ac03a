import Foundation

/// Runs a fuzz target over files and directories of inputs without libFuzzer: the regular build's mode
/// of the fuzz executables, used to replay a corpus or a crash file.
public enum FuzzReplay {
    /// Every regular file named by `paths`, directories expanded one level, sorted for a stable order.
    public static func inputs(_ paths: [String]) -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                files += names.sorted().map { path + "/" + $0 }
            } else {
                files.append(path)
            }
        }
        return files
    }

    /// Replays `arguments` (paths) through `body`; returns the process exit code.
    public static func main(_ arguments: [String], _ body: (Data) -> Void) -> Int32 {
        let files = inputs(arguments)
        guard !files.isEmpty else {
            FileHandle.standardError.write(Data("usage: \(CommandLine.arguments[0]) CORPUS_DIR_OR_FILE...\n".utf8))
            return 2
        }
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                FileHandle.standardError.write(Data("cannot read \(file)\n".utf8))
                return 1
            }
            body(data)
        }
        print("replayed \(files.count) inputs")
        return 0
    }
}
