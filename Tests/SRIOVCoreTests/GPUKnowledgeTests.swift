import XCTest
import HostAccess
@testable import SRIOVCore

/// gpu.json: the embedded copy decodes and equals the resource file, every entry has sources
/// and the checked date, IDs are 4-digit lower-case hex without duplicates, texts exist in
/// English and Spanish, and the lookups give the answers of the fact sheet.
final class GPUKnowledgeTests: XCTestCase {
    static let checked = "2026-12-01"
    /// The board vendors' iGPU menu words were checked a day later.
    static let vendorWordsChecked = "2026-12-02"

    func knowledge() throws -> GPUKnowledge {
        try GPUKnowledge(json: PackageResources.gpu_json)
    }

    func testEmbeddedCopyDecodesAndEqualsResourceFile() throws {
        let k = try knowledge()
        XCTAssertEqual(GPUKnowledge.embedded, k, "GPUKnowledge.embedded fell back to nil")
        let file = try Machine(root: "/").read(KnowledgeTests.resourceDirectory + "/gpu.json")
        XCTAssertEqual(file, PackageResources.gpu_json, "rebuild: the embedded gpu.json is stale")
    }

    func testEverySourceIsNonEmptyAndEveryEntryChecked() throws {
        let k = try knowledge()
        XCTAssertEqual(k.checked, Self.checked)
        var lists: [(String, [String], String)] = []
        for p in k.platforms { lists.append(("platform \(p.id)", p.sources, p.checked)) }
        for d in k.dataCenter { lists.append(("dataCenter \(d.id)", d.sources, d.checked)) }
        for r in k.dkmsReleases { lists.append(("dkms \(r.release)", r.sources, r.checked)) }
        for (name, set) in [("i915", k.kernelParameters.i915), ("xe", k.kernelParameters.xe), ("recovery", k.kernelParameters.recovery)] {
            lists.append(("parameters \(name)", set.sources, set.checked))
        }
        for o in k.kernelParameters.obsolete { lists.append(("obsolete \(o.parameter)", o.sources, o.checked)) }
        for w in k.windowsGuestDrivers { lists.append(("windows \(w.version)", w.sources, w.checked)) }
        for s in k.kernelLog { lists.append(("log \(s.id)", s.sources, s.checked)) }
        lists.append(("persistence", k.persistence.sources, k.persistence.checked))
        lists.append(("bios", k.bios.sources, k.bios.checked))
        for v in k.bios.vendors ?? [] {
            XCTAssertEqual(v.checked, Self.vendorWordsChecked, "bios vendor \(v.id): checked date")
            lists.append(("bios vendor \(v.id)", v.sources, Self.checked))
        }
        XCTAssertEqual(k.nvidia.checked, Self.vendorWordsChecked, "nvidia: checked date")
        lists.append(("nvidia", k.nvidia.sources, Self.checked))
        for n in k.noSRIOV {
            XCTAssertEqual(n.checked, Self.vendorWordsChecked, "noSRIOV \(n.vendorID): checked date")
            lists.append(("noSRIOV \(n.vendorID)", n.sources, Self.checked))
        }
        lists.append(("secureBoot", k.secureBoot.sources, k.secureBoot.checked))
        lists.append(("guests", k.guests.sources, k.guests.checked))
        for (owner, sources, checked) in lists {
            XCTAssertFalse(sources.isEmpty, "\(owner) has no source")
            XCTAssertEqual(checked, Self.checked, "\(owner): checked date")
            for source in sources {
                XCTAssertFalse(source.trimmedSpace().isEmpty, "\(owner): empty source")
                if source.contains("://") {
                    XCTAssertTrue(source.hasPrefix("https://"), "\(owner): not https: \(source)")
                    XCTAssertFalse(source.contains(" "), "\(owner): URL with a space: \(source)")
                }
            }
        }
        XCTAssertTrue(k.idTables.allSatisfy { $0.commit.count == 40 && $0.commit.allSatisfy(\.isHexDigit) }, "ID table commit must be a full hash")
    }

    func testDeviceIDsAreHexAndUnique() throws {
        let k = try knowledge()
        let ids = k.platforms.flatMap(\.deviceIDs) + k.dataCenter.filter { $0.vendorID == nil }.flatMap(\.deviceIDs)
        for id in ids {
            XCTAssertEqual(id.count, 4, id)
            XCTAssertTrue(id.allSatisfy { "0123456789abcdef".contains($0) }, "not lower-case hex: \(id)")
        }
        XCTAssertEqual(Set(ids).count, ids.count, "duplicate device IDs: \(Dictionary(grouping: ids, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted())")
        let platformIDs = k.platforms.map(\.id) + k.dataCenter.map(\.id)
        XCTAssertEqual(Set(platformIDs).count, platformIDs.count)
        let macros = Set(k.platforms.map(\.idTable))
        XCTAssertEqual(macros.count, k.platforms.count, "one ID table macro per platform")
    }

    func testTextsInBothLanguages() throws {
        let k = try knowledge()
        var texts: [KnowledgeText] = k.platforms.map(\.notes) + k.dataCenter.map(\.method) + k.windowsGuestDrivers.map(\.note)
        texts += k.kernelLog.map(\.meaning) + k.kernelLog.compactMap(\.hint)
        texts += [k.kernelParameters.i915.note, k.kernelParameters.xe.note, k.persistence.note, k.bios.note, k.guests.windows, k.guests.linux]
        texts += k.bios.settings.values.compactMap(\.note)
        texts += [k.nvidia.vgpu, k.nvidia.passthrough, k.nvidia.driverMissing, k.nvidia.driverMissingHint] + k.noSRIOV.map(\.text)
        for v in k.bios.vendors ?? [] {
            texts += v.settings.values.compactMap(\.note) + [v.notes].compactMap { $0 }
            // A setting without a menu path must say why nothing is needed.
            for (key, setting) in v.settings where setting.paths.isEmpty { XCTAssertNotNil(setting.note, "\(v.id).\(key)") }
        }
        for t in texts {
            XCTAssertFalse(t.en.isEmpty)
            XCTAssertFalse(t.es.isEmpty, t.en)
            XCTAssertNotEqual(t.en, t.es, "not translated: \(t.en)")
        }
    }

    func testLookupsGiveTheFactSheetAnswers() throws {
        let k = try knowledge()
        XCTAssertEqual(k.platform(deviceID: 0x4626)?.id, "adl-p")   // corpus/gpu linuxhw Zycoo
        XCTAssertEqual(k.platform(deviceID: 0x46a6)?.id, "adl-p")   // corpus/gpu Yoga 9
        XCTAssertEqual(k.platform(deviceID: 0x4680)?.id, "adl-s")
        XCTAssertEqual(k.platform(deviceID: 0x46d0)?.id, "adl-n")
        XCTAssertEqual(k.platform(deviceID: 0x9a60)?.id, "tgl")
        XCTAssertEqual(k.platform(deviceID: 0xa780)?.id, "rpl-s")
        XCTAssertEqual(k.platform(deviceID: 0x7d67)?.id, "arl")
        XCTAssertEqual(k.platform(deviceID: 0xb080)?.inTreeSRIOV, .xe)
        XCTAssertNil(k.platform(deviceID: 0x3e92), "Coffee Lake has no SR-IOV")
        XCTAssertNil(k.platform(deviceID: 0x4c8a), "Rocket Lake is left out")
        XCTAssertEqual(k.platform(deviceID: 0x7d55)?.xeDkmsSRIOV, false, "MTL SR-IOV is off in the dkms xe")
        XCTAssertEqual(k.platform(deviceID: 0x6420)?.sriovPossible, false, "Lunar Lake")
        XCTAssertEqual(k.dataCenter(vendorID: 0x8086, deviceID: 0x56c0)?.totalVFs, 31, "Flex 170")
        XCTAssertEqual(k.dataCenter(vendorID: 0x10de, deviceID: 0x2230)?.vfDriver, "nvidia", "RTX A6000 VFs stay on nvidia")
        XCTAssertEqual(k.dataCenter(vendorID: 0x1002, deviceID: 0x74a1)?.proxmoxSupported, false)
        XCTAssertEqual(k.dkmsRelease(forKernel: "6.17.2-1-pve")?.release, "2026.05.06")
        XCTAssertEqual(k.dkmsRelease(forKernel: "7.0.1")?.release, "2026.05.06")
        XCTAssertEqual(k.dkmsRelease(forKernel: "6.14.11-2-pve")?.release, "2026.03.05.1")
        XCTAssertEqual(k.dkmsRelease(forKernel: "6.8.12-5-pve")?.release, "2025.07.22")
        XCTAssertEqual(k.dkmsRelease(forKernel: "6.1.0-7-amd64")?.release, "intel-lts-v6.1")
        XCTAssertNil(k.dkmsRelease(forKernel: "5.15.0-91-generic"))
        XCTAssertEqual(GPUHost.parameters(driver: "i915", deviceID: 0x4680, knowledge: k), ["i915.enable_guc=3", "i915.max_vfs=7", "module_blacklist=xe"])
        XCTAssertEqual(GPUHost.parameters(driver: "xe", deviceID: 0x46d0, knowledge: k), ["xe.max_vfs=7", "xe.force_probe=46d0", "module_blacklist=i915"])
        XCTAssertEqual(k.signature(matching: "i915 0000:00:02.0: Disabled 7 VFs")?.id, "vfs-disabled")
        XCTAssertEqual(k.signature(matching: "i915 0000:00:02.0: [drm] *ERROR* Failed to enable 2 VFs (-ENOMEM)")?.id, "enomem")
        XCTAssertEqual(k.signature(matching: "i915: Incompatible option enable_guc=7 - undocumented flag")?.id, "enable-guc-7")
        XCTAssertNil(k.signature(matching: "igb 0000:01:00.0: 7 VFs allocated"))
        for key in ["vtd", "above4g", "sriov", "igpu", "vmd"] { XCTAssertNotNil(k.bios.settings[key], "BIOS words for \(key)") }
    }

    /// NVIDIA and the no-SR-IOV texts say what the fact sheet says (sections 8, 9; P-ARC).
    func testNVIDIAAndNoSRIOVTexts() throws {
        let k = try knowledge()
        for needle in ["sriov-manage -e ALL", "pve-nvidia-sriov@ALL.service", "license", "Never pass the PF", "stay on the nvidia driver"] {
            XCTAssertTrue(k.nvidia.vgpu.en.contains(needle), needle)
        }
        XCTAssertTrue(k.nvidia.passthrough.en.contains("current_vgpu_type"))
        XCTAssertTrue(k.nvidia.passthrough.en.contains("mdev_supported_types"))
        XCTAssertTrue(k.nvidia.passthrough.es.contains("nunca la PF"))
        XCTAssertEqual(Set(k.noSRIOV.map(\.vendorID)), ["10de", "1002", "8086"])
        XCTAssertTrue(try XCTUnwrap(k.noSRIOV(vendorID: 0x10de)).text.en.contains("GeForce"))
        XCTAssertTrue(try XCTUnwrap(k.noSRIOV(vendorID: 0x1002)).text.en.contains("not on Proxmox VE or Debian"))
        XCTAssertTrue(try XCTUnwrap(k.noSRIOV(vendorID: 0x8086)).text.en.contains("Arc Pro"))
        XCTAssertNil(k.noSRIOV(vendorID: 0x15b3))
    }

    /// Board vendors' iGPU words: matched on the DMI strings as the kernel exports them, every
    /// listed vendor names where VT-d and the iGPU item are, and only the known keys are used.
    func testBIOSVendorWordsMatchDMI() throws {
        let bios = try knowledge().bios
        let vendors = try XCTUnwrap(bios.vendors)
        for id in ["asus", "gigabyte", "msi", "asrock", "intel-nuc", "lenovo", "dell", "hp"] {
            let v = try XCTUnwrap(vendors.first { $0.id == id }, id)
            XCTAssertNotNil(v.settings["vtd"], "\(id): VT-d")
            XCTAssertNotNil(v.settings["igpu"], "\(id): iGPU item")
            XCTAssertTrue(Set(v.settings.keys).isSubset(of: Set(bios.settings.keys)), "\(id): unknown keys \(v.settings.keys.sorted())")
        }
        let cases: [(board: String?, system: String?, id: String?)] = [
            ("ASUSTeK COMPUTER INC.", "ASUS", "asus"), ("Gigabyte Technology Co., Ltd.", nil, "gigabyte"),
            ("Micro-Star International Co., Ltd.", "Micro-Star International Co., Ltd.", "msi"),
            ("ASRock", "To Be Filled By O.E.M.", "asrock"), ("Intel Corporation", "Intel(R) Client Systems", "intel-nuc"),
            ("LENOVO", "LENOVO", "lenovo"), ("Dell Inc.", "Dell Inc.", "dell"), ("HP", "HP", "hp"),
            ("AZW", "AZW", nil), ("Default string", "Default string", nil), (nil, nil, nil),
        ]
        for c in cases {
            XCTAssertEqual(bios.vendor(boardVendor: c.board, systemVendor: c.system)?.id, c.id, "\(c.board ?? "nil") / \(c.system ?? "nil")")
        }
    }
}
