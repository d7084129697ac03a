import Foundation

/// A `WWW-Authenticate` challenge (RFC 7235): `Bearer realm="https://auth.example/token",service="x",scope="…"`
/// or `Basic realm="…"`. Only the first challenge of a header is used, as docker's client does.
struct AuthChallenge: Equatable {
    var scheme: String
    var parameters: [String: String]

    init(scheme: String, parameters: [String: String]) {
        self.scheme = scheme
        self.parameters = parameters
    }

    init?(_ header: String) {
        let trimmed = header.drop { $0 == " " }
        guard let space = trimmed.firstIndex(of: " ") else {
            guard !trimmed.isEmpty else { return nil }
            scheme = trimmed.lowercased()
            parameters = [:]
            return
        }
        scheme = trimmed[..<space].lowercased()
        parameters = [:]
        var rest = trimmed[trimmed.index(after: space)...]
        while !rest.isEmpty {
            rest = rest.drop { $0 == " " || $0 == "," }
            guard let equals = rest.firstIndex(of: "=") else { break }
            let key = rest[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            rest = rest[rest.index(after: equals)...]
            var value = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                var escaped = false
                while let char = rest.first {
                    rest = rest.dropFirst()
                    if escaped { value.append(char); escaped = false } else if char == "\\" { escaped = true } else if char == "\"" { break } else { value.append(char) }
                }
            } else {
                let end = rest.firstIndex(of: ",") ?? rest.endIndex
                value = rest[..<end].trimmingCharacters(in: .whitespaces)
                rest = rest[end...]
            }
            parameters[key] = value
        }
    }
}
