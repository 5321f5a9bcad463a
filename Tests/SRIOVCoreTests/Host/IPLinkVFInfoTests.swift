import XCTest
import HostAccess
@testable import SRIOVCore

/// `IPLinkVFInfo` (Host/IPLinkVFInfo.swift): the VF lines of `ip -d link show`.
final class IPLinkVFInfoTests: XCTestCase {
    func testIPLinkVFLinesOfTheLabCapture() throws {
        let text = try Machine(root: VFCheckTrees.sampleHostVFs).readText("/sriov-wizard/commands/ip_-d_link_show.stdout")
        let info = IPLinkVFInfo(text: text)
        XCTAssertEqual(info.macs["enp1s0"]?.count, 7)
        XCTAssertEqual(info.macs["enp1s0"]?[6], "00:00:00:00:00:00")
        XCTAssertNil(info.macs["enp1s0v0"])
        let old = IPLinkVFInfo(text: "4: eth2: <BROADCAST> mtu 1500\r\n    link/ether 52:54:00:00:00:01 brd ff:ff:ff:ff:ff:ff\r\n    vf 0 MAC 02:AA:BB:CC:DD:00, spoof checking on\r\n")
        XCTAssertEqual(old.macs["eth2"]?[0], "02:aa:bb:cc:dd:00")
    }
}
