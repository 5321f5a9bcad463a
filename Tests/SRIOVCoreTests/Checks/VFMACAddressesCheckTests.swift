import XCTest
import HostAccess
@testable import SRIOVCore

/// `vf-mac-addresses`: random host MACs and MACs the PF sets, on copies of sample-host-vfs.
final class VFMACAddressesCheckTests: XCTestCase {
    typealias T = VFCheckTrees

    func testRandomHostMACAndMACsSetOnThePF() throws {
        let root = try vfsHost("macs")
        try T.write(root, "/sys/bus/pci/devices/0000:01:10.0/net/enp1s0v0/addr_assign_type", "1\n")
        let random = try run(VFMACAddressesCheck.self, root)
        XCTAssertEqual(random.level, .note)
        T.assertContains(random.summary.en, "1 of 7 VFs of 0000:01:00.0 (igb, enp1s0) have a random MAC that changes at every boot (enp1s0v0)")
        T.assertEvidence(random, "addr_assign_type: 1 (random)")

        let key = "/sriov-wizard/commands/ip_-d_link_show.stdout"
        var text = try Machine(root: root).readText(key)
        for i in 0..<7 { text = replacingFirstOccurrence(text, "vf \(i)     link/ether 00:00:00:00:00:00", "vf \(i)     link/ether 02:54:00:5a:01:0\(i)") }
        try T.write(root, key, text)
        let set = try run(VFMACAddressesCheck.self, root)
        XCTAssertEqual(set.level, .pass, "\(set.evidence)")
        T.assertEvidence(set, "vf 3 link/ether 02:54:00:5a:01:03")

        // A VF given to vfio-pci has no netdev; without the PF's per-VF list its MAC is unknown.
        let vfio = try vfsHost("macs-vfio")
        _ = try Machine(root: "/").run(["rm", "-rf", vfio + "/sys/bus/pci/devices/0000:01:10.0/net", vfio + key])
        try T.link(vfio, "/sys/bus/pci/devices/0000:01:10.0/driver", "../../../../bus/pci/drivers/vfio-pci")
        let unknown = try run(VFMACAddressesCheck.self, vfio)
        XCTAssertEqual(unknown.level, .note)
        T.assertContains(unknown.summary.en, "1 of 7 VFs")
        T.assertContains(unknown.hint.en, "ip -d link show enp1s0")
    }
}

/// `text` with the first occurrence of `target` replaced.
private func replacingFirstOccurrence(_ text: String, _ target: String, _ replacement: String) -> String {
    guard let range = text.firstRange(of: target) else { return text }
    var s = text
    s.replaceSubrange(range, with: replacement)
    return s
}
