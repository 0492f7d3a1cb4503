// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "SwiftPilot",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "PilotQuantum", targets: ["PilotQuantum"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
    ],
    targets: [
        .target(name: "PilotQuantum",
                dependencies: [.product(name: "Yams", package: "Yams")],
                swiftSettings: strict + [.unsafeFlags(["-Ounchecked"])]),
        .testTarget(name: "PilotQuantumTests", dependencies: ["PilotQuantum"], resources: [.copy("Fixtures")]),
    ],
    swiftLanguageModes: [.v6]
)
