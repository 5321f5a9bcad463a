import Foundation

/// What the wizard knows about GPU SR-IOV (`Resources/knowledge/gpu.json`): Intel iGPU
/// platforms with their PCI device IDs (from the kernel's own ID table,
/// `include/drm/intel/pciids.h`, file and commit in `idTables`), which driver can make VFs
/// on which platform, the i915-sriov-dkms release for each kernel, the kernel parameters, the
/// persistence method, Windows guest driver versions users report, data-center GPUs (Intel
/// Flex/Arc Pro, NVIDIA vGPU, AMD MxGPU), BIOS menu words and kernel log signatures. Every
/// entry has sources and a `checked` date: this moves fast.
public struct GPUKnowledge: Sendable, Codable, Equatable {
    public var checked: String
    public var idTables: [IDTable]
    public var platforms: [Platform]
    public var dataCenter: [DataCenterGPU]
    public var dkmsReleases: [DKMSRelease]
    public var kernelParameters: KernelParameters
    public var persistence: Persistence
    public var windowsGuestDrivers: [WindowsGuestDriver]
    public var bios: BIOSWords
    public var kernelLog: [LogSignature]
    public var secureBoot: SecureBoot
    public var guests: Guests
    /// NVIDIA vGPU: what SR-IOV needs, how VFs reach VMs, the missing host driver.
    public var nvidia: NVIDIAVGPU
    /// Per GPU vendor: what to say of a GPU without SR-IOV (consumer cards) and what to do instead.
    public var noSRIOV: [NoSRIOV]

    public struct IDTable: Sendable, Codable, Equatable {
        public var file: String
        public var repository: String
        public var commit: String
        public var url: String
    }

    /// Which in-tree (mainline) driver makes VFs on a platform, if any.
    public enum InTreeSRIOV: String, Sendable, Codable { case none, i915, xe }

    public struct Platform: Sendable, Codable, Equatable {
        public var id: String
        public var name: String
        public var generation: String
        public var kind: String
        /// The macro of the ID table the IDs come from (`INTEL_ADLP_IDS`).
        public var idTable: String
        /// Lower-case 4-digit hex.
        public var deviceIDs: [String]
        public var i915DkmsSRIOV: Bool
        public var xeDkmsSRIOV: Bool
        public var inTreeSRIOV: InTreeSRIOV
        public var maxVFs: Int
        public var notes: KnowledgeText
        public var sources: [String]
        public var checked: String

        public var sriovPossible: Bool { i915DkmsSRIOV || xeDkmsSRIOV || inTreeSRIOV != .none }
    }

    public struct DataCenterGPU: Sendable, Codable, Equatable {
        public var id: String
        public var vendor: String
        public var vendorID: String?
        public var name: String
        public var kind: String
        public var idTable: String?
        public var deviceIDs: [String]
        public var driver: String
        public var vfDriver: String?
        public var totalVFs: Int?
        public var method: KnowledgeText
        public var vendorSoftware: String?
        public var proxmoxSupported: Bool?
        public var sources: [String]
        public var checked: String
    }

    public struct DKMSRelease: Sendable, Codable, Equatable {
        public var release: String
        public var kernelFrom: String
        public var kernelTo: String
        public var branch: Bool?
        public var sources: [String]
        public var checked: String

        /// Whether a kernel (major, minor) is inside this release's range.
        public func covers(_ version: (Int, Int)) -> Bool {
            guard let from = KernelModules.version(kernelFrom), let to = KernelModules.version(kernelTo) else { return false }
            return (version.0, version.1) >= (from.0, from.1) && (version.0, version.1) <= (to.0, to.1)
        }
    }

    public struct ParameterSet: Sendable, Codable, Equatable {
        public var parameters: [String]
        public var note: KnowledgeText
        public var sources: [String]
        public var checked: String
    }

    public struct ObsoleteParameter: Sendable, Codable, Equatable {
        public var parameter: String
        public var replacement: String
        public var note: KnowledgeText
        public var sources: [String]
        public var checked: String
    }

    public struct KernelParameters: Sendable, Codable, Equatable {
        public var i915: ParameterSet
        public var xe: ParameterSet
        public var obsolete: [ObsoleteParameter]
        public var recovery: ParameterSet
    }

    public struct Persistence: Sendable, Codable, Equatable {
        public var method: String
        /// `devices/pci0000:00/0000:00:02.0/sriov_numvfs = {count}`.
        public var line: String
        public var file: String
        public var package: String
        public var note: KnowledgeText
        public var sources: [String]
        public var checked: String
    }

    public struct WindowsGuestDriver: Sendable, Codable, Equatable {
        public var version: String
        /// `works` or `problems`.
        public var status: String
        public var note: KnowledgeText
        public var sources: [String]
        public var checked: String
    }

    public struct BIOSWords: Sendable, Codable, Equatable {
        /// Keys: vtd, above4g, sriov, igpu (keep the iGPU on with a dGPU), vmd. The words of
        /// generic AMI Aptio firmware (most mini PCs); a board vendor's own words override a key.
        public var settings: [String: BIOSSetting]
        public var note: KnowledgeText
        /// Board vendors' own menu words for the iGPU items, matched on DMI like bios-vendors.json.
        public var vendors: [VendorWords]?
        public var sources: [String]
        public var checked: String

        /// The vendor whose `match` strings occur (case-insensitively) in the DMI board or system
        /// vendor, nil when none does (the generic words apply).
        public func vendor(boardVendor: String?, systemVendor: String?) -> VendorWords? {
            let haystacks = [boardVendor, systemVendor].compactMap { $0?.lowercased() }
            return (vendors ?? []).first { v in
                v.match.contains { m in haystacks.contains { $0.contains(m.lowercased()) } }
            }
        }
    }

    /// One board vendor's words for the iGPU items. A setting with no paths means the firmware
    /// has no such item; its note says why nothing is needed.
    public struct VendorWords: Sendable, Codable, Equatable {
        public var id: String
        public var name: String
        /// Substrings of DMI `board_vendor` / `sys_vendor`.
        public var match: [String]
        public var settings: [String: BIOSSetting]
        public var notes: KnowledgeText?
        public var sources: [String]
        public var checked: String
    }

    public struct LogSignature: Sendable, Codable, Equatable {
        public var id: String
        /// A regular expression matched against kernel log lines.
        public var pattern: String
        public var level: CheckLevel
        public var meaning: KnowledgeText
        public var hint: KnowledgeText?
        public var sources: [String]
        public var checked: String
    }

    public struct SecureBoot: Sendable, Codable, Equatable {
        public var steps: [String]
        public var sources: [String]
        public var checked: String
    }

    public struct NVIDIAVGPU: Sendable, Codable, Equatable {
        /// The driver-support note: vGPU software, sriov-manage at every boot, profiles, license.
        public var vgpu: KnowledgeText
        /// The hint: one VF per VM with its vGPU profile, never the PF.
        public var passthrough: KnowledgeText
        public var driverMissing: KnowledgeText
        public var driverMissingHint: KnowledgeText
        public var sources: [String]
        public var checked: String
    }

    public struct NoSRIOV: Sendable, Codable, Equatable {
        /// PCI vendor ID, 4 lower-case hex digits.
        public var vendorID: String
        public var text: KnowledgeText
        public var sources: [String]
        public var checked: String
    }

    /// The no-SR-IOV text for a GPU vendor.
    public func noSRIOV(vendorID: UInt16) -> NoSRIOV? {
        let key = hex(vendorID, 4)
        return noSRIOV.first { $0.vendorID == key }
    }

    public struct Guests: Sendable, Codable, Equatable {
        public var windows: KnowledgeText
        public var linux: KnowledgeText
        public var sources: [String]
        public var checked: String
    }

    public init(json: [UInt8]) throws {
        self = try JSONDecoder().decode(GPUKnowledge.self, from: Data(json))
    }

    /// The copy compiled into the binary; nil only if the embedded file is broken (a build
    /// defect the tests catch).
    public static let embedded: GPUKnowledge? = try? GPUKnowledge(json: PackageResources.gpu_json)

    /// The iGPU platform of an Intel device ID.
    public func platform(deviceID: UInt16) -> Platform? {
        let key = hex(deviceID, 4)
        return platforms.first { $0.deviceIDs.contains(key) }
    }

    /// The data-center entry for a vendor/device, or for a vendor whose entry lists no IDs
    /// (NVIDIA vGPU: any SR-IOV capable NVIDIA GPU).
    public func dataCenter(vendorID: UInt16, deviceID: UInt16?) -> DataCenterGPU? {
        let vendor = hex(vendorID, 4)
        let device = deviceID.map { hex($0, 4) }
        if let exact = dataCenter.first(where: { ($0.vendorID ?? "8086") == vendor && device.map($0.deviceIDs.contains) == true }) {
            return exact
        }
        return dataCenter.first { $0.vendorID == vendor && $0.deviceIDs.isEmpty }
            ?? dataCenter.first { $0.vendorID == vendor && vendor == "1002" }
    }

    /// The dkms release that covers a kernel release (`6.17.2-1-pve`), newest first.
    public func dkmsRelease(forKernel release: String) -> DKMSRelease? {
        guard let version = KernelModules.version(release) else { return nil }
        return dkmsReleases.first { $0.covers(version) }
    }

    /// The kernel log signature whose pattern matches a line.
    public func signature(matching line: String) -> LogSignature? {
        kernelLog.first { line.range(of: $0.pattern, options: .regularExpression) != nil }
    }
}

extension Knowledge {
    /// GPU knowledge (gpu.json).
    public var gpu: GPUKnowledge? { GPUKnowledge.embedded }
}
