/// One unit's line in the budget.
public struct UnitBudget: Equatable, Sendable {
    public var unit: String
    public var expectedBytes: UInt64?
    /// Working set: memory.current - inactive_file.
    public var actualBytes: UInt64
    /// max(0, actual - expected); 0 when the unit has no expectation of its own.
    public var overBytes: UInt64
    /// The largest working set the daemon recorded (`BudgetRecord`), at least `actualBytes`;
    /// nil when there is no record.
    public var peakBytes: UInt64? = nil
}

/// One category's line in the budget.
public struct CategoryBudget: Equatable, Sendable {
    public var category: BudgetCategory
    /// The category's own budget; nil when it depends on per-service figures this host cannot give.
    public var expectedBytes: UInt64?
    /// What the model holds against applications for this category: `expectedBytes`, except
    /// for the cache, whose target lives in the management reserve between jobs (see
    /// docs/ARCHITECTURE.md, "The budget model").
    public var countedBytes: UInt64?
    public var actualBytes: UInt64?
    /// nil for `cache`, where more than the target is healthy, and when unknown.
    public var overBytes: UInt64?
    public var units: [UnitBudget]
    /// The largest `actualBytes` the daemon recorded, at least the current one; nil without a record.
    public var peakBytes: UInt64? = nil
}

/// What is left for the customer's applications.
public struct ApplicationBudget: Equatable, Sendable {
    /// max(0, installed - every other category's counted reserve).
    public var budgetBytes: UInt64?
    public var actualBytes: UInt64?
    /// budget - actual; negative when applications use more than is left for them.
    public var headroomBytes: Int64?
    public var units: [UnitBudget]
    public var peakBytes: UInt64? = nil
}

/// The platform budget against what each category really uses (DESIGN §4).
///
/// The model (docs/ARCHITECTURE.md): applications get
/// `installed - kernel - userland - monitoring - management - max(0, cache target - management)`,
/// where kernel = max(minimum, ram_percent of installed), management is one job's peak (jobs do
/// not run in parallel), monitoring is the sum of the present monitoring units' expectations,
/// and the page cache is held against applications only beyond the management reserve that it
/// fills between jobs. 3 GiB with every platform unit present: 528 MiB.
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
        let unitsByCategory = classify(services: perServiceAvailable ? services : [], config: config)

        var categories = [kernel(installed: installed, memTotal: memTotal, config: config)]
        for category in [BudgetCategory.management, .monitoring, .userland] {
            guard let rules = config.units(of: category) else { continue }
            categories.append(unitCategory(category, rules: rules, units: unitsByCategory[category] ?? [],
                                           perServiceAvailable: perServiceAvailable))
        }
        let management = categories.first { $0.category == .management }?.expectedBytes ?? 0
        let cacheCounted = config.cacheSharesManagementReserve ? config.cacheTargetBytes.over(management)
                                                               : config.cacheTargetBytes
        categories.append(CategoryBudget(category: .cache, expectedBytes: config.cacheTargetBytes,
                                         countedBytes: cacheCounted, actualBytes: system.meminfo.fileCache,
                                         overBytes: nil, units: []))

        var reserved: UInt64? = 0
        for category in categories {
            guard let sum = reserved, let counted = category.countedBytes else { reserved = nil; break }
            reserved = sum.saturatingAdd(counted)
        }
        let applicationUnits = unitsByCategory[.application] ?? []
        let budget = reserved.map { installed.over($0) }
        let actual = perServiceAvailable ? applicationUnits.saturatingSum(\.actualBytes) : nil
        let headroom: Int64? = if let budget, let actual { Int64(saturatingDifference: budget, actual) } else { nil }
        return BudgetReport(
            installed: system.installed, memTotalBytes: memTotal, categories: categories,
            application: ApplicationBudget(budgetBytes: budget, actualBytes: actual, headroomBytes: headroom,
                                           units: applicationUnits),
            perServiceAvailable: perServiceAvailable)
    }

    /// The kernel's reserve, max(minimum, ram_percent of installed); actual = installed - MemTotal.
    static func kernel(installed: UInt64, memTotal: UInt64, config: BudgetConfig) -> CategoryBudget {
        let share = (Double(installed) * config.kernelRamPercent / 100).rounded()
        let expected = Swift.max(config.kernelMinimumBytes, share < 0x1p63 ? UInt64(share) : .max)
        let actual = installed.over(memTotal)
        return CategoryBudget(category: .kernel, expectedBytes: expected, countedBytes: expected,
                              actualBytes: actual, overBytes: actual.over(expected), units: [])
    }

    /// A category that owns units: its reserve, or where it has none (monitoring) the sum of its
    /// present units' expectations; and never less than that sum.
    static func unitCategory(_ category: BudgetCategory, rules: UnitCategoryConfig, units: [UnitBudget],
                             perServiceAvailable: Bool) -> CategoryBudget {
        let unitSum = units.saturatingSum { $0.expectedBytes ?? 0 }
        let expected: UInt64? = if let reserve = rules.reserveBytes { Swift.max(reserve, unitSum) }
                                else if perServiceAvailable { unitSum } else { nil }
        let actual = perServiceAvailable ? units.saturatingSum(\.actualBytes) : nil
        let over: UInt64? = if let actual, let expected { actual.over(expected) } else { nil }
        return CategoryBudget(category: category, expectedBytes: expected, countedBytes: expected,
                              actualBytes: actual, overBytes: over, units: units)
    }

    /// Each unit's line, by category, largest first.
    static func classify(services: [ServiceSample], config: BudgetConfig) -> [BudgetCategory: [UnitBudget]] {
        var unitsByCategory: [BudgetCategory: [UnitBudget]] = [:]
        for service in services {
            let (category, expected) = config.classify(unit: service.unit)
            let actual = service.workingSet
            unitsByCategory[category, default: []].append(
                UnitBudget(unit: service.unit, expectedBytes: expected, actualBytes: actual,
                           overBytes: expected.map { actual.over($0) } ?? 0))
        }
        for category in unitsByCategory.keys {
            unitsByCategory[category]?.sort {
                $0.actualBytes != $1.actualBytes ? $0.actualBytes > $1.actualBytes : $0.unit < $1.unit
            }
        }
        return unitsByCategory
    }
}
