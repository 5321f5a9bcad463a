// swift-tools-version:6.0
import Foundation
import PackageDescription

// The report server (issue 16) and its packages are left out when SRIOV_WIZARD_WITHOUT_SERVER=1
// (Scripts/sanitizers.sh: the ASan/TSan builds cover the host tool, not Hummingbird/NIO/GRDB).
let withServer = ProcessInfo.processInfo.environment["SRIOV_WIZARD_WITHOUT_SERVER"] != "1"

let package = Package(
    name: "sriov-wizard",
    products: [
        .executable(name: "sriov-wizard", targets: ["sriov-wizard"]),
        .library(name: "SRIOVCore", targets: ["SRIOVCore"]),
        // The report model, XML (schema) and HTML, the report reader; Fuzz/ depends on it.
        .library(name: "Reports", targets: ["Reports"]),
        // For tests, benchmarks and fuzzing only (Fuzz/ depends on it): writes synthetic 82599
        // sysfs trees. Not part of the tool.
        .library(name: "SyntheticTreeSupport", targets: ["SyntheticTreeSupport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // libxml2 from the system (Debian: libxml2-dev). Only XMLKit imports it.
        .systemLibrary(
            name: "CLibXML2",
            path: "Sources/CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        .target(name: "XMLKit", dependencies: ["CLibXML2"]),
        // The one seam to the machine: file reads, directory walks, symlinks, commands.
        .target(name: "HostAccess"),
        .target(
            name: "SRIOVCore",
            dependencies: ["HostAccess"],
            // Knowledge/Data is a link to Resources/knowledge: the data stays in Resources/
            // and is compiled into the binary, so a copied binary still has it.
            resources: [
                .embedInCode("Knowledge/Data/bios-vendors.json"),
                .embedInCode("Knowledge/Data/drivers.json"),
                .embedInCode("Knowledge/Data/gpu.json"),
            ]
        ),
        // Report model -> XML (schema) and HTML, reading reports back, fleet summary.
        .target(name: "Reports", dependencies: ["SRIOVCore", "XMLKit"],
                resources: [.embedInCode("Data/report.xsd"), .embedInCode("Data/report.css")]),
        .executableTarget(
            name: "sriov-wizard",
            dependencies: [
                "SRIOVCore", "HostAccess", "Reports",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Test doubles shared by several test targets (fault injection for file operations).
        .target(name: "HostAccessTestSupport", dependencies: ["HostAccess"], path: "Tests/Support/HostAccessTestSupport"),
        .testTarget(name: "HostAccessTests", dependencies: ["HostAccess", "HostAccessTestSupport"]),
        .testTarget(name: "XMLKitTests", dependencies: ["XMLKit"]),
        // Intel iGPU host trees built from real captured values (GPU SR-IOV tests, sample-host-igpu).
        // The 82599 sysfs tree generator: for tests, benchmarks (sriov-gen-tree) and fuzzing only.
        .target(name: "SyntheticTreeSupport", dependencies: ["SRIOVCore", "HostAccess"], path: "Tests/Support/SyntheticTreeSupport"),
        // `sriov-gen-tree --pfs N --vfs M DIR`: that tree on disk, for Scripts/benchmark.sh.
        .executableTarget(
            name: "sriov-gen-tree",
            dependencies: ["SyntheticTreeSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Tests/Support/GenTree"
        ),
        .target(name: "GPUTreeSupport", dependencies: ["SRIOVCore", "HostAccess"], path: "Tests/Support/GPUTrees"),
        .testTarget(name: "SRIOVCoreTests", dependencies: ["SRIOVCore", "HostAccess", "HostAccessTestSupport", "GPUTreeSupport", "SyntheticTreeSupport"]),
        // Golden/: expected reports, read by path (GoldenReport.swift), not bundled.
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "SRIOVCore", "XMLKit", "HostAccess", "HostAccessTestSupport", "SyntheticTreeSupport"], exclude: ["Golden"]),
        // Runs the built binary as a user would; depending on it makes `swift test` build it.
        .testTarget(name: "CLITests", dependencies: ["sriov-wizard", "HostAccess"]),
    ]
)

if withServer {
    package.products.append(.executable(name: "sriov-report-server", targets: ["sriov-report-server"]))
    package.dependencies += [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.0"),
    ]
    package.targets += [
        // The report server: routes, store (SQLite/PostgreSQL), pages. Reuses Reports/XMLKit.
        .target(
            name: "ReportServer",
            dependencies: [
                "Reports", "XMLKit", "SRIOVCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "sriov-report-server",
            dependencies: [
                "ReportServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Starts the built sriov-report-server on loopback (SQLite; PostgreSQL via SRIOV_TEST_POSTGRES_URL).
        .testTarget(name: "ReportServerTests", dependencies: ["sriov-report-server", "ReportServer", "Reports"]),
    ]
}
