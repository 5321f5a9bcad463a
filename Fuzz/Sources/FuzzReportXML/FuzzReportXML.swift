import Reports
import CFuzzDriver

/// Hands the process to libFuzzer (see CFuzzDriver.h for why not libFuzzer's `main`).
@_cdecl("FuzzReportXML_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var argc = argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return LLVMFuzzerRunDriver(&argc, &argv, fuzzReportXML)
}

/// libFuzzer entry: any bytes as a saved XML report (`report --from`, `collect`).
/// Refusals (`ReportError`) are results; only a crash, a sanitizer report or a hang is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReportXML(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? ReportXML.read(text)
    return 0
}
