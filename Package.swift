// swift-tools-version:6.0
import PackageDescription

// Node-level modules (branch `node`): hwloc discovery and the task launcher.
// The lead merges these targets into the main package by hand.
let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "SwiftPilot",
    // Synchronization.Mutex needs macOS 15; PilotLaunch itself is Linux-only.
    platforms: [.macOS(.v15)],
    targets: [
        .systemLibrary(name: "CHwloc", pkgConfig: "hwloc", providers: [.apt(["libhwloc-dev"])]),
        .target(name: "CPilotSpawn"),

        .target(name: "PilotTopology", dependencies: ["CHwloc"], swiftSettings: strict),
        .target(name: "PilotLaunch", dependencies: ["CPilotSpawn"], swiftSettings: strict),

        // Release-mode timing loop for the launcher, comparable to spawn_baseline.c.
        .executableTarget(name: "spawn-bench", dependencies: ["PilotLaunch"], path: "Benchmarks/SpawnBench"),

        .testTarget(name: "PilotTopologyTests", dependencies: ["PilotTopology"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "PilotLaunchTests", dependencies: ["PilotLaunch", "CPilotSpawn"]),
    ],
    swiftLanguageModes: [.v6]
)
