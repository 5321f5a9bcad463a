import SRIOVCore
import CFuzzDriver

/// Hands the process to libFuzzer (see CFuzzDriver.h for why not libFuzzer's `main`).
@_cdecl("FuzzModprobe_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var argc = argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return LLVMFuzzerRunDriver(&argc, &argv, fuzzModprobe)
}

/// libFuzzer entry: any bytes as one file in /etc/modprobe.d.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModprobe(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let config = ModprobeConfig(files: [(path: "/etc/modprobe.d/fuzz.conf", text: text)])
    for option in config.options { _ = config.options(module: option.module, name: option.name) }
    _ = config.options(module: "igb", name: "max_vfs")
    return 0
}
