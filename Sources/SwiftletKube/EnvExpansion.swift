/// Kubernetes `$(VAR)` expansion (`third_party/forked/golang/expansion`), used for env values,
/// command, args and `subPathExpr`: `$$` is a literal `$`, `$(NAME)` with a known NAME is replaced,
/// anything else (unknown names, `$(` without `)`, a lone `$`) is left as written.
public enum EnvExpansion {
    public static func expand(_ input: String, _ values: [String: String]) -> String {
        let chars = Array(input)
        var out = ""
        var i = 0
        while i < chars.count {
            guard chars[i] == "$", i + 1 < chars.count else {
                out.append(chars[i])
                i += 1
                continue
            }
            let next = chars[i + 1]
            if next == "$" {
                out.append("$")
                i += 2
            } else if next == "(", let close = chars[(i + 2)...].firstIndex(of: ")") {
                let name = String(chars[(i + 2)..<close])
                if let value = values[name] { out += value } else { out += "$(" + name + ")" }
                i = close + 1
            } else {
                out.append("$")
                out.append(next)
                i += 2
            }
        }
        return out
    }
}

/// `fmt.Sprintf("%q", s)`, for downward-API label and annotation files.
public func goQuotedString(_ s: String) -> String { goQuoted(s) }
