import SRIOVCore
import CFuzzDriver

/// Hands the process to libFuzzer (see CFuzzDriver.h for why not libFuzzer's `main`).
@_cdecl("FuzzLspciText_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var argc = argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return LLVMFuzzerRunDriver(&argc, &argv, fuzzLspciText)
}

/// libFuzzer entry: any bytes as lspci text. A parse error is a result; only a crash,
/// a sanitizer report or a hang is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLspciText(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? LspciTextParser.parse(text)
    return 0
}
