// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "sriov-wizard",
    products: [
        .executable(name: "sriov-wizard", targets: ["sriov-wizard"]),
        .library(name: "SRIOVCore", targets: ["SRIOVCore"]),
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
            ]
        ),
        // Report model -> XML (schema) and HTML, reading reports back, fleet summary.
        .target(name: "Reports", dependencies: ["SRIOVCore", "XMLKit", "HostAccess"],
                resources: [.embedInCode("Data/report.xsd"), .embedInCode("Data/report.css")]),
        .executableTarget(
            name: "sriov-wizard",
            dependencies: [
                "SRIOVCore", "HostAccess", "XMLKit", "Reports",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Test doubles shared by several test targets (fault injection for file operations).
        .target(name: "HostAccessTestSupport", dependencies: ["HostAccess"], path: "Tests/Support/HostAccessTestSupport"),
        .testTarget(name: "HostAccessTests", dependencies: ["HostAccess", "HostAccessTestSupport"]),
        .testTarget(name: "XMLKitTests", dependencies: ["XMLKit"]),
        .testTarget(name: "SRIOVCoreTests", dependencies: ["SRIOVCore", "HostAccess", "HostAccessTestSupport"]),
        // Golden/: expected reports, read by path (GoldenReport.swift), not bundled.
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "SRIOVCore", "XMLKit", "HostAccess"], exclude: ["Golden"]),
        // Runs the built binary as a user would; depending on it makes `swift test` build it.
        .testTarget(name: "CLITests", dependencies: ["sriov-wizard", "HostAccess"]),
    ]
)
