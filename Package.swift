// swift-tools-version:6.2
// Swift 6.2 is the minimum: the version nixpkgs ships (nix/README.md); no language feature
// newer than 6.2 is used (how that is checked: nix/README.md, "Swift 6.2").
import PackageDescription

// Layering (docs/ARCHITECTURE.md):
//   CSystemd, CLibcgroup  - the C libraries, found through pkg-config
//   HeadroomCore          - pure: parsers, config, budget, reports; no I/O, no clocks
//   HeadroomLinux         - the thin Linux shell: procfs/cgroupfs readers, libcgroup
//   HeadroomCLI           - the commands (argument parsing and output only)
//   headroom              - the executable, a few lines
//   CCurl, HeadroomShip   - ticket delivery (docs/TICKETS.md): libcurl, the spool, back-off
//   headroom-ship         - its short-lived executable; the daemon itself has no network code
let package = Package(
    name: "headroom",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "headroom", targets: ["headroom"]),
        .executable(name: "headroom-ship", targets: ["headroom-ship"]),
        // For Benchmarks/ (a separate package, so the main build does not compile package-benchmark).
        .library(name: "HeadroomCore", targets: ["HeadroomCore"]),
        .library(name: "HeadroomLinux", targets: ["HeadroomLinux"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CSystemd",
            pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]
        ),
        .systemLibrary(
            name: "CLibcgroup",
            pkgConfig: "libcgroup",
            providers: [.apt(["libcgroup-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(
            name: "HeadroomCore",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .target(
            name: "HeadroomLinux",
            dependencies: ["HeadroomCore", "CSystemd", "CLibcgroup"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .target(
            name: "HeadroomCLI",
            dependencies: [
                "HeadroomCore",
                "HeadroomLinux",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "headroom",
            dependencies: ["HeadroomCLI"],
            swiftSettings: [.swiftLanguageMode(.v6)],
            // Bind every library symbol at start-up (-z now), not on the first call: the
            // dynamic linker's symbol lookups then never touch the libraries' symbol tables
            // again after the start-up pages are released (docs/BENCHMARKS.md, footprint).
            linkerSettings: [.unsafeFlags(["-Xlinker", "-z", "-Xlinker", "now"])]
        ),
        .target(
            name: "HeadroomShip",
            dependencies: [
                "HeadroomCore",
                "HeadroomLinux",
                "CCurl",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "headroom-ship",
            dependencies: ["HeadroomShip"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .target(
            name: "HeadroomTestSupport",
            dependencies: ["HeadroomCore", "HeadroomLinux"],
            path: "Tests/HeadroomTestSupport",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .testTarget(
            name: "HeadroomCoreTests",
            dependencies: ["HeadroomCore", "HeadroomTestSupport"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .testTarget(
            name: "HeadroomLinuxTests",
            dependencies: ["HeadroomLinux", "HeadroomCore", "HeadroomTestSupport"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .testTarget(
            name: "HeadroomCLITests",
            dependencies: ["HeadroomCLI", "HeadroomCore", "HeadroomLinux", "HeadroomTestSupport"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .testTarget(
            name: "HeadroomShipTests",
            dependencies: ["HeadroomShip", "HeadroomCore"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
