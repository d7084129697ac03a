/// `apps/v1` ControllerRevision: an immutable snapshot of a controller's template with a
/// revision number. The DaemonSet controller keeps one per template it has run (named
/// `<daemonset>-<hash>`), which `rollout history` lists and `rollout undo` puts back.
public struct ControllerRevision: KubeObject {
    public static let kind = "ControllerRevision"
    public static let apiVersion = "apps/v1"
    public static let resource = "controllerrevisions"

    public var apiVersion: String? = ControllerRevision.apiVersion
    public var kind: String? = ControllerRevision.kind
    public var metadata: ObjectMeta
    /// For a DaemonSet, the strategic-merge patch that replaces its template:
    /// `{"spec":{"template":{..., "$patch":"replace"}}}`.
    public var data: JSONValue?
    public var revision: Int64

    public init(metadata: ObjectMeta, data: JSONValue?, revision: Int64) {
        self.metadata = metadata
        self.data = data
        self.revision = revision
    }

    public mutating func applyDefaults() {
        apiVersion = Self.apiVersion
        kind = Self.kind
    }

    /// `ValidateControllerRevision`.
    public func validate() -> [FieldError] {
        var errs = validateObjectMeta()
        if data == nil { errs.append(.required("data", "data is mandatory")) }
        if revision < 0 { errs.append(.invalid("revision", .int(revision), "must be greater than or equal to 0")) }
        return errs
    }

    /// `ValidateControllerRevisionUpdate`: the data never changes (the revision number may).
    public func validateUpdate(from old: ControllerRevision) -> [FieldError] {
        data == old.data ? [] : [.invalid("data", .string("<data>"), "field is immutable")]
    }

    /// The DaemonSet template a revision holds (its patch without the `$patch` directive).
    public var daemonSetTemplate: PodTemplateSpec? {
        guard case .object(let root)? = data, case .object(let spec)? = root["spec"], case .object(var template)? = spec["template"]
        else { return nil }
        template["$patch"] = nil
        guard let bytes = try? KubeJSON.encode(JSONValue.object(template)) else { return nil }
        return try? KubeJSON.decode(PodTemplateSpec.self, from: bytes)
    }

    /// `getPatch`: the revision data for a DaemonSet's template.
    public static func daemonSetData(_ template: PodTemplateSpec) -> JSONValue? {
        guard let bytes = try? KubeJSON.encode(template), case .object(var tree)? = try? JSONValue.parse(bytes) else { return nil }
        tree["$patch"] = .string("replace")
        return .object(["spec": .object(["template": .object(tree)])])
    }
}
