/// One unit's line in the budget.
public struct UnitBudget: Equatable, Sendable {
    public var unit: String
    public var expectedBytes: UInt64?
    /// Working set: memory.current - inactive_file.
    public var actualBytes: UInt64
    /// max(0, actual - expected); 0 when the unit has no expectation of its own.
    public var overBytes: UInt64
}

/// One category's line in the budget.
public struct CategoryBudget: Equatable, Sendable {
    public var category: BudgetCategory
    /// nil when it depends on per-service figures this host cannot give.
    public var expectedBytes: UInt64?
    public var actualBytes: UInt64?
    /// nil for `cache`, where more than the target is healthy, and when unknown.
    public var overBytes: UInt64?
    public var units: [UnitBudget]
}

/// What is left for the customer's applications.
public struct ApplicationBudget: Equatable, Sendable {
    /// max(0, installed - every other category's expectation, the cache target included).
    public var budgetBytes: UInt64?
    public var actualBytes: UInt64?
    /// budget - actual; negative when applications use more than is left for them.
    public var headroomBytes: Int64?
    public var units: [UnitBudget]
}

/// The platform budget against what each category really uses (DESIGN §4).
public struct BudgetReport: Equatable, Sendable {
    public var installed: InstalledMemory
    public var memTotalBytes: UInt64
    public var categories: [CategoryBudget]
    public var application: ApplicationBudget
    public var perServiceAvailable: Bool

    public func category(_ name: BudgetCategory) -> CategoryBudget? {
        categories.first { $0.category == name }
    }

    /// - Parameters:
    ///   - system: host-wide figures (installed RAM, MemTotal, page cache).
    ///   - services: every unit's sample; ignored when `perServiceAvailable` is false.
    ///   - config: the category rules and expectations.
    public static func compute(system: SystemSample, services: [ServiceSample], perServiceAvailable: Bool,
                               config: BudgetConfig) -> BudgetReport {
        let installed = system.installed.bytes
        let memTotal = system.meminfo.memTotal

        let percentShare = UInt64((Double(installed) * config.kernelRamPercent / 100).rounded())
        let kernelExpected = Swift.max(config.kernelMinimumBytes, percentShare)
        let kernelActual = installed > memTotal ? installed - memTotal : 0
        var categories = [CategoryBudget(category: .kernel, expectedBytes: kernelExpected, actualBytes: kernelActual,
                                         overBytes: kernelActual.over(kernelExpected), units: [])]

        var unitsByCategory: [BudgetCategory: [UnitBudget]] = [:]
        for service in services where perServiceAvailable {
            let (category, expected) = config.classify(unit: service.unit)
            let actual = service.workingSet
            let over = expected.map { actual.over($0) } ?? 0
            unitsByCategory[category, default: []].append(
                UnitBudget(unit: service.unit, expectedBytes: expected, actualBytes: actual, overBytes: over))
        }
        let byLargest: (UnitBudget, UnitBudget) -> Bool = {
            $0.actualBytes != $1.actualBytes ? $0.actualBytes > $1.actualBytes : $0.unit < $1.unit
        }

        for category in [BudgetCategory.management, .monitoring, .userland] {
            guard let rules = config.units(of: category) else { continue }
            let units = (unitsByCategory[category] ?? []).sorted(by: byLargest)
            let expected: UInt64?
            if let reserve = rules.reserveBytes {
                expected = reserve
            } else {
                expected = perServiceAvailable ? units.reduce(0) { $0 + ($1.expectedBytes ?? 0) } : nil
            }
            let actual = perServiceAvailable ? units.reduce(0) { $0 + $1.actualBytes } : nil
            let over: UInt64? = if let actual, let expected { actual.over(expected) } else { nil }
            categories.append(CategoryBudget(category: category, expectedBytes: expected, actualBytes: actual,
                                             overBytes: over, units: units))
        }

        categories.append(CategoryBudget(category: .cache, expectedBytes: config.cacheTargetBytes,
                                         actualBytes: system.meminfo.fileCache, overBytes: nil, units: []))

        let applicationUnits = (unitsByCategory[.application] ?? []).sorted(by: byLargest)
        var reserved: UInt64? = 0
        for category in categories {
            guard let sum = reserved, let expected = category.expectedBytes else { reserved = nil; break }
            reserved = sum + expected
        }
        let budget = reserved.map { installed.over($0) }
        let actual = perServiceAvailable ? applicationUnits.reduce(0) { $0 + $1.actualBytes } : nil
        let headroom: Int64? = if let budget, let actual { Int64(budget) - Int64(actual) } else { nil }
        return BudgetReport(
            installed: system.installed, memTotalBytes: memTotal, categories: categories,
            application: ApplicationBudget(budgetBytes: budget, actualBytes: actual, headroomBytes: headroom,
                                           units: applicationUnits),
            perServiceAvailable: perServiceAvailable)
    }
}

extension UInt64 {
    /// max(0, self - limit).
    func over(_ limit: UInt64) -> UInt64 { self > limit ? self - limit : 0 }
}
