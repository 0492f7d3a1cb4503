// swift-tools-version:6.0
import Foundation
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

// The MPI pieces (CMPI, pilot-dsv) are only part of the package where Open MPI's pkg-config file
// exists, so machines without MPI still build everything else. SWIFTPILOT_MPI=0 leaves them out.
let mpiPkgConfigDirs = ["/usr/lib/x86_64-linux-gnu/pkgconfig", "/usr/lib/aarch64-linux-gnu/pkgconfig",
                        "/usr/lib64/pkgconfig", "/usr/lib/pkgconfig", "/usr/local/lib/pkgconfig",
                        "/opt/homebrew/lib/pkgconfig"]
let hasMPI = ProcessInfo.processInfo.environment["SWIFTPILOT_MPI"] != "0"
    && mpiPkgConfigDirs.contains { FileManager.default.fileExists(atPath: $0 + "/ompi.pc") }
let mpiProducts: [Product] = hasMPI ? [.executable(name: "pilot-dsv", targets: ["pilot-dsv"])] : []
let mpiTargets: [Target] = hasMPI ? [
    .systemLibrary(name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi",
                   providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]),
    // Distributed state-vector simulation over MPI ranks; a separate binary so `pilot` never links MPI.
    .executableTarget(name: "pilot-dsv", dependencies: ["CMPI", "PilotQuantum"], swiftSettings: strict),
] : []

let package = Package(
    name: "SwiftPilot",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "pilot", targets: ["pilot"]),
    ] + mpiProducts,
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.1.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.0.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.0.0"),
        // TLS on the API and the agent channel: a self-signed certificate made at the manager's first
        // start (swift-certificates, swift-crypto), served and pinned through swift-nio-ssl.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.29.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.10.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        // C, kept at the edge.
        .systemLibrary(name: "CSlurm", path: "Sources/CSlurm", providers: [.apt(["libslurm-dev"])]),
        .systemLibrary(name: "CHwloc", pkgConfig: "hwloc", providers: [.apt(["libhwloc-dev"])]),
        // Inflating NumPy arrays in Qiskit Runtime results that QRMI's task runner returns.
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "CPilotSpawn"),
        .target(name: "PilotTopology", dependencies: ["CHwloc"], swiftSettings: strict),
        .target(name: "PilotLaunch", dependencies: ["CPilotSpawn", "PilotTopology"], swiftSettings: strict),
        // Release-mode timing loop for the launcher, comparable to spawn_baseline.c.
        .executableTarget(name: "spawn-bench", dependencies: ["PilotLaunch"], path: "Benchmarks/SpawnBench"),

        // Pure core: no I/O, no C.
        .target(name: "PilotCore",
                dependencies: [.product(name: "Collections", package: "swift-collections")],
                swiftSettings: strict),
        .target(name: "PilotProtocol",
                dependencies: ["PilotCore",
                               .product(name: "NIOCore", package: "swift-nio"),
                               .product(name: "NIOPosix", package: "swift-nio"),
                               .product(name: "NIOHTTP1", package: "swift-nio"),
                               .product(name: "NIOFoundationCompat", package: "swift-nio"),
                               .product(name: "NIOSSL", package: "swift-nio-ssl"),
                               .product(name: "Crypto", package: "swift-crypto")],
                swiftSettings: strict),
        .target(name: "PilotQuantum",
                dependencies: ["CZlib", "PilotCore", "PilotYAML", .product(name: "Yams", package: "Yams")],
                swiftSettings: strict + [.unsafeFlags(["-Ounchecked"])]),
        .target(name: "PilotYAML",
                dependencies: ["PilotCore", .product(name: "Yams", package: "Yams")],
                swiftSettings: strict),
        .target(name: "PilotWorkflow",
                dependencies: ["PilotCore", "PilotYAML", .product(name: "Yams", package: "Yams")],
                exclude: ["WORKFLOW-FORMAT.md"],
                swiftSettings: strict),
        .target(name: "PilotMiniApps",
                dependencies: ["PilotCore", "PilotQuantum", "PilotWorkflow"],
                swiftSettings: strict),
        .target(name: "PilotStore",
                dependencies: ["PilotCore", .product(name: "GRDB", package: "GRDB.swift"),
                               .product(name: "GRDBSQLite", package: "GRDB.swift")],
                swiftSettings: strict),
        .target(name: "PilotManager",
                dependencies: ["PilotCore", "PilotProtocol", "PilotStore", "PilotWorkflow", "PilotQuantum", "PilotSlurm",
                               .product(name: "Hummingbird", package: "hummingbird"),
                               .product(name: "HummingbirdTLS", package: "hummingbird"),
                               .product(name: "NIOSSL", package: "swift-nio-ssl"),
                               .product(name: "X509", package: "swift-certificates"),
                               .product(name: "Crypto", package: "swift-crypto"),
                               .product(name: "NIOCore", package: "swift-nio"),
                               .product(name: "NIOPosix", package: "swift-nio"),
                               .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                               .product(name: "Logging", package: "swift-log"),
                               .product(name: "CoreMetrics", package: "swift-metrics"),
                               .product(name: "Prometheus", package: "swift-prometheus")],
                resources: [.embedInCode("Resources/openapi.json")],
                swiftSettings: strict),
        .target(name: "PilotSlurm",
                dependencies: ["CSlurm", "PilotCore", "PilotYAML",
                               .product(name: "Yams", package: "Yams"),
                               .product(name: "Mustache", package: "swift-mustache")],
                swiftSettings: strict),
        // Run reports from the event journal: pure (records in, SVG/HTML text out).
        .target(name: "PilotReport", dependencies: ["PilotCore"], swiftSettings: strict),
        .target(name: "PilotAgent",
                dependencies: ["PilotCore", "PilotProtocol", "PilotTopology", "PilotLaunch",
                               .product(name: "NIOCore", package: "swift-nio"),
                               .product(name: "NIOPosix", package: "swift-nio"),
                               .product(name: "NIOSSL", package: "swift-nio-ssl"),
                               .product(name: "Logging", package: "swift-log")],
                swiftSettings: strict),
        .executableTarget(name: "pilot",
                          dependencies: ["PilotCore", "PilotProtocol", "PilotManager", "PilotAgent", "PilotTopology", "PilotLaunch",
                                         "PilotSlurm", "PilotQuantum", "PilotStore", "PilotMiniApps", "PilotWorkflow", "PilotReport",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser"),
                                         .product(name: "Yams", package: "Yams"),
                                         .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                                         .product(name: "Logging", package: "swift-log")],
                          swiftSettings: strict),
        .testTarget(name: "PilotCoreTests", dependencies: ["PilotCore"]),
        .testTarget(name: "PilotYAMLTests", dependencies: ["PilotYAML"]),
        .testTarget(name: "PilotWorkflowTests", dependencies: ["PilotWorkflow", "PilotCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "PilotFuzzTests", dependencies: ["PilotCore", "PilotProtocol", "PilotQuantum", "PilotSlurm", "PilotWorkflow",
                                                          .product(name: "NIOCore", package: "swift-nio")]),
        .testTarget(name: "PilotEndToEndTests", dependencies: ["PilotCore", "PilotProtocol"]),
        .testTarget(name: "PilotQuantumTests", dependencies: ["PilotQuantum"], resources: [.copy("Fixtures")]),
        .testTarget(name: "PilotTopologyTests", dependencies: ["PilotTopology"], resources: [.copy("Fixtures")]),
        .testTarget(name: "PilotLaunchTests", dependencies: ["PilotLaunch", "CPilotSpawn", "PilotTopology"]),
        .testTarget(name: "PilotSlurmTests", dependencies: ["PilotSlurm"], resources: [.copy("Golden")],
                    swiftSettings: strict),
        .testTarget(name: "PilotStoreTests", dependencies: ["PilotStore", "PilotCore"]),
        .testTarget(name: "PilotAgentTests", dependencies: ["PilotAgent", "PilotTopology", "PilotCore", "PilotLaunch", "PilotQuantum"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "PilotManagerTests",
                    dependencies: ["PilotManager", "PilotSlurm", "PilotStore", "PilotCore", "PilotProtocol",
                                   .product(name: "NIOEmbedded", package: "swift-nio"),
                                   .product(name: "NIOSSL", package: "swift-nio-ssl"),
                                   .product(name: "X509", package: "swift-certificates"),
                                   .product(name: "Logging", package: "swift-log"),
                                   .product(name: "Prometheus", package: "swift-prometheus")]),
        .testTarget(name: "PilotReportTests", dependencies: ["PilotReport", "PilotCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "PilotMiniAppsTests", dependencies: ["PilotMiniApps", "PilotQuantum", "PilotWorkflow", "PilotCore"]),
    ] + mpiTargets,
    swiftLanguageModes: [.v6]
)
