// swift-tools-version:6.1
import PackageDescription

// package-benchmark 1.38.1 declares ordo-one/swift-runtime-interposer as a dependency on
// Linux with Swift 6.3, for its optional ARC-counting trait ("RuntimeInterposer"). That
// repository is not in this machine's package mirror. Benchmarks/run builds with only the
// "MallocInterposer" trait, so the product below is never linked; this empty package only
// lets the dependency graph resolve. Retain/release counts are therefore not measured.
let package = Package(
    name: "swift-runtime-interposer",
    products: [.library(name: "SwiftRuntimeInterposerSwift", targets: ["SwiftRuntimeInterposerSwift"])],
    targets: [.target(name: "SwiftRuntimeInterposerSwift")]
)
