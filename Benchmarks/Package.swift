// swift-tools-version:6.1
import PackageDescription

// Micro-benchmarks of the daemon's tick (package-benchmark), kept out of the main package
// so CI's build and `swift test` do not compile package-benchmark. Run through ./run.

// SwiftPM names a path dependency after its directory, which is whatever the clone was called.
let headroom = String(Context.packageDirectory.split(separator: "/").dropLast().last ?? "headroom")
let package = Package(
    name: "headroom-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        // Only the malloc counter: see ResolverPlaceholders/swift-runtime-interposer/Package.swift.
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1",
                 traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "HeadroomTick",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "HeadroomCore", package: headroom),
                .product(name: "HeadroomLinux", package: headroom),
            ],
            path: "Benchmarks/HeadroomTick",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
