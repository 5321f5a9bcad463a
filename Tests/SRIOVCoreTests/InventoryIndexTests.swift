import XCTest
import HostAccess
import SRIOVCore

/// `Inventory`'s index must answer exactly what a scan of `functions` in order answers: the
/// first match wins, as in lspci's tree, where the first bridge that claims a bus gets it.
final class InventoryIndexTests: XCTestCase {
    func address(_ text: String) -> PCIAddress { PCIAddress(text)! }

    func bridge(_ text: String, secondary: UInt8, driver: String) -> PCIFunction {
        var f = PCIFunction(address: address(text))
        f.secondaryBus = secondary
        f.driver = driver
        return f
    }

    func testFirstBridgeThatClaimsABusWins() {
        let device = PCIFunction(address: address("0000:05:00.0"))
        let inventory = Inventory(functions: [
            bridge("0000:00:01.0", secondary: 5, driver: "first"),
            bridge("0000:00:02.0", secondary: 5, driver: "second"),
            bridge("0001:00:01.0", secondary: 5, driver: "other-domain"),
            device,
        ], source: "sysfs")
        XCTAssertEqual(inventory.bridge(above: device)?.driver, "first")
        let context = CheckContext(machine: Machine(root: "/nonexistent-root"), inventory: inventory)
        XCTAssertEqual(context.upstreamPort(of: device)?.driver, "first")
        let inOtherDomain = PCIFunction(address: address("0001:05:00.0"))
        XCTAssertEqual(inventory.bridge(above: inOtherDomain)?.driver, "other-domain")
        XCTAssertNil(inventory.bridge(above: PCIFunction(address: address("0000:06:00.0"))))
    }

    func testABridgeIsNotItsOwnUpstreamPort() {
        // A damaged config space: the bridge at 05:00.0 says its secondary bus is 5.
        let selfClaim = bridge("0000:05:00.0", secondary: 5, driver: "self")
        let inventory = Inventory(functions: [selfClaim, bridge("0000:00:03.0", secondary: 5, driver: "real")], source: "lspci")
        XCTAssertEqual(inventory.bridge(above: selfClaim)?.driver, "real")
    }

    func testDuplicateAddressesGiveTheFirst() {
        var a = PCIFunction(address: address("0000:03:00.0")); a.driver = "first"
        var b = PCIFunction(address: address("0000:03:00.0")); b.driver = "second"
        let inventory = Inventory(functions: [a, b], source: "lspci")
        XCTAssertEqual(inventory.function(address("0000:03:00.0"))?.driver, "first")
        XCTAssertNil(inventory.function(address("0000:03:00.1")))
    }

    func testDeviceNameIsTheFirstThatHasOne() {
        func named(_ text: String, _ vendor: UInt16?, _ device: UInt16, _ name: String?) -> PCIFunction {
            var f = PCIFunction(address: address(text))
            f.vendorID = vendor; f.deviceID = device; f.deviceName = name
            return f
        }
        let inventory = Inventory(functions: [
            named("0000:01:00.0", 0x8086, 0x10ed, nil),
            named("0000:01:00.1", 0x15b3, 0x10ed, "other vendor"),
            named("0000:01:00.2", 0x8086, 0x10ed, "first name"),
            named("0000:01:00.3", 0x8086, 0x10ed, "second name"),
        ], source: "lspci")
        XCTAssertEqual(inventory.deviceName(vendorID: 0x8086, deviceID: 0x10ed), "first name")
        XCTAssertEqual(inventory.deviceName(vendorID: 0x15b3, deviceID: 0x10ed), "other vendor")
        XCTAssertNil(inventory.deviceName(vendorID: 0x8086, deviceID: 0x1528))
    }

    func testIOMMUGroupMembersInOrderAndChangesReindex() {
        var functions: [PCIFunction] = []
        for (i, group) in [7, 3, 7, 7].enumerated() {
            var f = PCIFunction(address: PCIAddress(bus: 2, device: 0, function: UInt8(i)))
            f.iommuGroup = group
            functions.append(f)
        }
        var inventory = Inventory(functions: functions, source: "sysfs")
        XCTAssertEqual(inventory.members(ofIOMMUGroup: 7).map(\.description), ["0000:02:00.0", "0000:02:00.2", "0000:02:00.3"])
        inventory.functions[1].iommuGroup = 7
        inventory.functions.append(bridge("0000:00:1c.0", secondary: 2, driver: "added"))
        XCTAssertEqual(inventory.members(ofIOMMUGroup: 7).count, 4)
        XCTAssertEqual(inventory.members(ofIOMMUGroup: 3), [])
        XCTAssertEqual(inventory.bridge(above: functions[0])?.driver, "added")
        XCTAssertEqual(inventory.function(address("0000:00:1c.0"))?.driver, "added")
    }

    /// Random inventories with duplicates and competing bridges: the index agrees with the scan.
    func testAgreesWithALinearScan() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            var functions: [PCIFunction] = []
            for i in 0..<60 {
                var f = PCIFunction(address: PCIAddress(domain: UInt32.random(in: 0...1, using: &random),
                                                        bus: UInt8.random(in: 0...4, using: &random),
                                                        device: 0, function: UInt8.random(in: 0...3, using: &random)))
                if Bool.random(using: &random) { f.secondaryBus = UInt8.random(in: 0...4, using: &random) }
                f.driver = "f\(i)"
                functions.append(f)
            }
            let inventory = Inventory(functions: functions, source: "lspci")
            for f in functions {
                XCTAssertEqual(inventory.function(f.address)?.driver, functions.first { $0.address == f.address }?.driver)
                let scanned = functions.first { $0.address.domain == f.address.domain && $0.secondaryBus == f.address.bus && $0.address != f.address }
                XCTAssertEqual(inventory.bridge(above: f)?.driver, scanned?.driver)
            }
        }
    }
}
