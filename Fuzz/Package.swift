// swift-tools-version:6.0
// Fuzz targets for sriov-wizard's parsers, kept out of the main build.
// Build (libFuzzer + AddressSanitizer; see run.sh and ../FUZZING.md):
//   swift build -c release --package-path Fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
import Foundation
import PackageDescription

// A path dependency's identity is the name of its directory (`main` in one checkout,
// `sriov-wizard` in another), so it is read from where this manifest lives.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let rootIdentity = root.lastPathComponent.lowercased()
let core: Target.Dependency = .product(name: "SRIOVCore", package: rootIdentity)

let package = Package(
    name: "sriov-wizard-fuzz",
    dependencies: [
        .package(path: ".."),
    ],
    targets: [
        // The root package exports SRIOVCore only. The XML report reader lives in Reports,
        // which is not a product, so its sources (and XMLKit's, and the libxml2 module map)
        // are compiled here through the symlinks in Mirror/. Target names must be unique in
        // the package graph, so they get a Fuzz prefix and `-module-alias` lets the unchanged
        // sources keep saying `import XMLKit`. HostAccess comes with the SRIOVCore product.
        // (A `Reports` library product in the root manifest would make all of this one line.)
        .systemLibrary(name: "FuzzCLibXML2", path: "Mirror/CLibXML2", pkgConfig: "libxml-2.0"),
        .target(name: "FuzzXMLKit", dependencies: ["FuzzCLibXML2"], path: "Mirror/XMLKit"),
        .target(
            name: "FuzzReports",
            dependencies: ["FuzzXMLKit", core],
            path: "Mirror/Reports",
            resources: [.embedInCode("Data/report.xsd"), .embedInCode("Data/report.css")],
            swiftSettings: [.unsafeFlags(["-module-alias", "XMLKit=FuzzXMLKit"])]
        ),
        .target(name: "CFuzzDriver"),
        .executableTarget(name: "FuzzLspciText", dependencies: ["CFuzzDriver", core]),
        .executableTarget(name: "FuzzConfigSpace", dependencies: ["CFuzzDriver", core]),
        .executableTarget(name: "FuzzKernelCmdline", dependencies: ["CFuzzDriver", core]),
        .executableTarget(name: "FuzzModprobe", dependencies: ["CFuzzDriver", core]),
        .executableTarget(
            name: "FuzzSysfsValues",
            dependencies: ["CFuzzDriver", "FuzzReports", core],
            swiftSettings: [.unsafeFlags(["-module-alias", "Reports=FuzzReports"])]
        ),
        .executableTarget(
            name: "FuzzCollect",
            dependencies: ["CFuzzDriver", "FuzzReports", core],
            swiftSettings: [.unsafeFlags(["-module-alias", "Reports=FuzzReports"])]
        ),
        .executableTarget(
            name: "FuzzReportXML",
            dependencies: ["CFuzzDriver", "FuzzReports"],
            swiftSettings: [.unsafeFlags(["-module-alias", "Reports=FuzzReports"])]
        ),
    ]
)
