import CFuzzDriver
import Reports
import SRIOVCore

/// Hands the process to libFuzzer (see CFuzzDriver.h for why not libFuzzer's `main`).
@_cdecl("FuzzCollect_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var argc = argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return LLVMFuzzerRunDriver(&argc, &argv, fuzzCollect)
}

/// A valid report to splice inputs into, so mutations reach the fleet code and not only
/// the parser's first error.
let template: String = {
    let report = HostReport(
        language: .en, time: "2026-01-31T12:00:00Z",
        host: HostFacts(hostname: "HOSTNAME", kernel: "6.8.12-4-pve", cmdline: "BOOT_IMAGE=/vmlinuz intel_iommu=on",
                        bootLoader: .grub, cpuFlags: ["vmx"]),
        stages: [ReportStage(id: .device, title: "Device", checks: [
            ReportCheck(id: "vf-capacity", level: .fail, device: "0000:01:00.0", summary: "SUMMARY", hint: "HINT", evidence: ["EVIDENCE"]),
        ])],
        devices: [ReportDevice(address: "0000:01:00.0", role: .pf, vendorID: "8086", deviceID: "10c9", driver: "igb",
                               sriov: ReportSRIOV(totalVFs: 7, numVFs: 2))],
        guestDrivers: [GuestDriverEntry(device: "0000:01:00.0", linuxDriver: "igbvf",
                                        windows: WindowsDriverEntry(package: "Pack", url: "https://example.com/URL"))])
    return try! ReportXML.render(report)
}()

/// libFuzzer entry: report XML as `collect` reads it (UTF-8 check, `ReportXML.read` with its
/// size and shape limits, schema, conversion), then the fleet summary of what was read in
/// every output collect has (XML validated against the schema, HTML, JSON, text). The first
/// byte chooses where the rest goes: the whole file, or spliced raw into a valid report as
/// the host name, a summary, a URL attribute, an evidence line, or extra elements.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCollect(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let bytes = UnsafeBufferPointer(start: data + 1, count: size - 1)
    guard let payload = String(validating: bytes, as: UTF8.self) else { return 0 }
    let text: String
    switch data[0] % 6 {
    case 0: text = payload
    case 1: text = template.replacingOccurrences(of: "HOSTNAME", with: payload)
    case 2: text = template.replacingOccurrences(of: "SUMMARY", with: payload)
    case 3: text = template.replacingOccurrences(of: "https://example.com/URL", with: payload)
    case 4: text = template.replacingOccurrences(of: "EVIDENCE", with: payload)
    default: text = template.replacingOccurrences(of: "</report>", with: payload + "</report>")
    }
    guard let report = try? ReportXML.read(text) else { return 0 }
    let rows = [FleetRow(file: "a.xml", report: report), FleetRow(file: "b.xml", report: report)]
    for language in [Language.en, .es] {
        let summary = FleetSummary(rows: rows, language: language, time: nil)
        do {
            _ = try summary.xml()
            _ = try summary.html()
        } catch {
            fatalError("the fleet summary of a report that was read is invalid: \(error)")
        }
        _ = summary.json().serialised()
        _ = summary.text()
    }
    _ = try? ReportHTML.render(report)
    return 0
}
