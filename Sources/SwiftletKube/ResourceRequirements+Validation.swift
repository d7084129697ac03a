/// `ValidateContainerResourceRequirements` (`pkg/apis/core/validation`), with its field paths
/// and messages. Map entries are visited in key order so one manifest always yields the same text.
extension ResourceRequirements {
    static let qosComputeResources: Set<String> = [ResourceName.cpu, ResourceName.memory]

    func validate(path: String) -> [FieldError] {
        var errs: [FieldError] = []
        let limPath = "\(path).limits"
        let reqPath = "\(path).requests"
        var hasCPUOrMemory = false
        var hasHugePages = false

        for (name, quantity) in (limits ?? [:]).sorted(by: { $0.key < $1.key }) {
            let fieldPath = "\(limPath)[\(name)]"
            errs += ResourceRequirements.validateContainerResourceName(name, path: fieldPath)
            errs += ResourceRequirements.validateQuantityValue(name, quantity, path: fieldPath)
            if ResourceName.isHugePages(name) {
                hasHugePages = true
                errs += ResourceRequirements.validateHugePageValue(name, quantity, path: fieldPath)
            }
            if ResourceRequirements.qosComputeResources.contains(name) { hasCPUOrMemory = true }
        }
        for (name, quantity) in (requests ?? [:]).sorted(by: { $0.key < $1.key }) {
            let fieldPath = "\(reqPath)[\(name)]"
            errs += ResourceRequirements.validateContainerResourceName(name, path: fieldPath)
            errs += ResourceRequirements.validateQuantityValue(name, quantity, path: fieldPath)
            // The API server reports the comparison on the whole requests map, not the entry.
            if let limit = limits?[name] {
                if quantity != limit && !ResourceName.isOvercommitAllowed(name) {
                    errs.append(.invalid(
                        reqPath, .string(quantity.canonicalString),
                        "must be equal to \(name) limit of \(limit.canonicalString)"))
                } else if quantity > limit {
                    errs.append(.invalid(
                        reqPath, .string(quantity.canonicalString),
                        "must be less than or equal to \(name) limit of \(limit.canonicalString)"))
                }
            } else if !ResourceName.isOvercommitAllowed(name) {
                errs.append(.required(limPath, "Limit must be set for non overcommitable resources"))
            }
            if ResourceName.isHugePages(name) {
                hasHugePages = true
                errs += ResourceRequirements.validateHugePageValue(name, quantity, path: fieldPath)
            }
            if ResourceRequirements.qosComputeResources.contains(name) { hasCPUOrMemory = true }
        }
        if hasHugePages && !hasCPUOrMemory {
            errs.append(.forbidden(path, "HugePages require cpu or memory"))
        }
        return errs
    }

    /// `validateContainerResourceName` after `validateResourceName`.
    static func validateContainerResourceName(_ name: String, path: String) -> [FieldError] {
        let qualified = NameValidation.isQualifiedName(name).map { FieldError.invalid(path, .string(name), $0) }
        if !qualified.isEmpty { return qualified }
        if !name.contains("/") {
            if !ResourceName.isStandard(name) {
                return [.invalid(path, .string(name), "must be a standard resource type or fully qualified")]
            }
            if !ResourceName.isStandardContainer(name) {
                return [.invalid(path, .string(name), "must be a standard resource for containers")]
            }
        } else if !ResourceName.isNative(name) && !ResourceName.isExtended(name) {
            return [.invalid(path, .string(name), "doesn't follow extended resource name standard")]
        }
        return []
    }

    /// `ValidateResourceQuantityValue`: non-negative, and whole for extended resources.
    static func validateQuantityValue(_ name: String, _ quantity: Quantity, path: String) -> [FieldError] {
        var errs: [FieldError] = []
        if quantity.sign < 0 {
            errs.append(.invalid(path, .string(quantity.canonicalString), "must be greater than or equal to 0"))
        }
        if ResourceName.isExtended(name) && quantity.milliValue % 1000 != 0 {
            errs.append(.invalid(path, .string(quantity.canonicalString), "must be an integer"))
        }
        return errs
    }

    /// `validateResourceQuantityHugePageValue`: a whole number of pages of the named size.
    static func validateHugePageValue(_ name: String, _ quantity: Quantity, path: String) -> [FieldError] {
        if let page = ResourceName.hugePageSize(name), page.sign > 0, page.milliValue % 1000 == 0,
            quantity.value % page.value == 0
        {
            return []
        }
        return [.invalid(
            path, .string(quantity.canonicalString), "\(quantity.canonicalString) is not positive integer multiple of \(name)")]
    }
}
