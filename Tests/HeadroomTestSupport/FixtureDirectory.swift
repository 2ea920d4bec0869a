/// Tests/Fixtures, located from this source file, for every test target.
public enum FixtureDirectory {
    public static let path: String = {
        var parts = String(#filePath).split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(2)
        return parts.joined(separator: "/") + "/Fixtures"
    }()
}
