import SRIOVCore
import CFuzzDriver

/// Hands the process to libFuzzer (see CFuzzDriver.h for why not libFuzzer's `main`).
@_cdecl("FuzzConfigSpace_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var argc = argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return LLVMFuzzerRunDriver(&argc, &argv, fuzzConfigSpace)
}

/// libFuzzer entry: any bytes as a `config` file from sysfs (0 to 4096 bytes are real sizes;
/// longer inputs are kept whole so the decoder's own bounds are exercised too).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfigSpace(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let config = ConfigSpace(Array(UnsafeBufferPointer(start: data, count: size)))
    _ = config.capabilities()
    var function = PCIFunction(address: PCIAddress(bus: 1, device: 0, function: 0))
    function.apply(config: config, source: "fuzz/config")
    _ = function.capabilities?.count
    return 0
}
