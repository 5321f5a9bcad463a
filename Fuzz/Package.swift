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
let reports: Target.Dependency = .product(name: "Reports", package: rootIdentity)
let syntheticTree: Target.Dependency = .product(name: "SyntheticTreeSupport", package: rootIdentity)

let package = Package(
    name: "sriov-wizard-fuzz",
    dependencies: [
        .package(path: ".."),
    ],
    targets: [
        // SRIOVCore, Reports (XML report reader and writer) and SyntheticTreeSupport are library
        // products of the root package; HostAccess and XMLKit come with them.
        .target(name: "CFuzzDriver"),
        .executableTarget(name: "FuzzLspciText", dependencies: ["CFuzzDriver", core]),
        .executableTarget(name: "FuzzConfigSpace", dependencies: ["CFuzzDriver", core]),
        .executableTarget(name: "FuzzKernelCmdline", dependencies: ["CFuzzDriver", core]),
        .executableTarget(name: "FuzzModprobe", dependencies: ["CFuzzDriver", core]),
        .executableTarget(name: "FuzzSysfsValues", dependencies: ["CFuzzDriver", reports, syntheticTree, core]),
        .executableTarget(name: "FuzzCollect", dependencies: ["CFuzzDriver", reports, core]),
        .executableTarget(name: "FuzzReportXML", dependencies: ["CFuzzDriver", reports]),
    ]
)
