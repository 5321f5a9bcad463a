import CFuzzDriver
import Glibc
import HostAccess
import Reports
import SRIOVCore
import SyntheticTreeSupport

/// Hands the process to libFuzzer (see CFuzzDriver.h for why not libFuzzer's `main`).
@_cdecl("FuzzSysfsValues_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var argc = argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return LLVMFuzzerRunDriver(&argc, &argv, fuzzSysfsValues)
}

/// The attribute files of the PF whose contents the input decides, in input order.
let attributes = ["sriov_totalvfs", "sriov_numvfs", "sriov_offset", "sriov_stride", "sriov_vf_device",
                  "class", "vendor", "device", "sriov_drivers_autoprobe", "ari_enabled", "revision"]

/// A small real tree (`SyntheticTree`: one 82599 PF with two VFs and its root port), written
/// once per process on tmpfs (/dev/shm) and reused: each input only rewrites the PF's files.
let root: String = {
    let dir = "/dev/shm/sriov-fuzz-sysfs-\(getpid())"
    _ = try! SyntheticTree.write(to: dir, pfs: 1, vfsPerPF: 2)
    return dir
}()
let pfDir = root + "/sys/bus/pci/devices/0000:01:00.0"
let pristineConfig: [UInt8] = try! Machine(root: "/").read(pfDir + "/config")

func put(_ path: String, _ bytes: ArraySlice<UInt8>) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { fatalError("cannot write \(path)") }
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
}

/// libFuzzer entry, structure-aware: the input is a sequence of fields, each a length byte
/// and that many bytes, for the attributes above in order (missing fields: the file is
/// deleted, so "absent" is tried too); then two bytes of config length (0-4200, so short,
/// full and over-long `config` files occur) and the rest XORed into the PF's config space
/// from offset 0x100 (its extended capabilities: SR-IOV at 0x160). The tree then goes
/// through what `check` and `report` do: the inventory, all four stages, the report builder,
/// the XML (validated against report.xsd by `ReportXML.render`), reading it back and HTML.
/// A refusal is a result; `selfCheckFailed` (the tool's own report is invalid) is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSysfsValues(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    var at = 0
    for name in attributes {
        let path = pfDir + "/" + name
        guard at < input.count else { unlink(path); continue }
        let length = Int(input[at])
        at += 1
        let end = min(input.count, at + length)
        put(path, input[at..<end])
        at = end
    }
    var config = pristineConfig
    if at + 2 <= input.count {
        let length = Int(input[at]) << 8 | Int(input[at + 1])
        at += 2
        let target = length % 4201
        if target < config.count { config.removeLast(config.count - target) }
        else { config += [UInt8](repeating: 0, count: target - config.count) }
        for (i, b) in input[at...].enumerated() where 0x100 + i < config.count { config[0x100 + i] ^= b }
    }
    put(pfDir + "/config", config[...])

    let machine = Machine(root: root)
    guard let inventory = try? SysfsInventory.load(machine) else { return 0 }
    let context = CheckContext(machine: machine, inventory: inventory)
    let stages = verifyStages(context)
    let report = ReportBuilder.build(context: context, stages: stages, language: .en, time: nil)
    do {
        let xml = try ReportXML.render(report)
        _ = try ReportXML.read(xml)
        _ = try ReportHTML.render(report)
    } catch let e as ReportError {
        if case .selfCheckFailed = e { fatalError("the report of a fuzzed tree is invalid: \(e)") }
        fatalError("a report the tool wrote cannot be read back: \(e)")
    } catch {
        fatalError("\(error)")
    }
    return 0
}
