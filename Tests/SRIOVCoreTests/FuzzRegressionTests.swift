import XCTest
import HostAccess
import SRIOVCore

/// Replays the inputs the fuzz targets once crashed on (Tests/Fixtures/fuzz-regressions/<target>/,
/// kept by Fuzz/run.sh) through the same calls as the targets in Fuzz/Sources/<target>/.
final class FuzzRegressionTests: XCTestCase {
    static let directory: String = {
        var parts = String(#filePath).split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)  // this file, SRIOVCoreTests, Tests
        return parts.joined(separator: "/") + "/Tests/Fixtures/fuzz-regressions"
    }()

    /// Every saved input of a target; none is the normal case (the directory may not exist).
    static func inputs(_ target: String) throws -> [(name: String, bytes: [UInt8])] {
        let machine = Machine(root: "/")
        let dir = directory + "/" + target
        guard machine.isDirectory(dir) else { return [] }
        return try machine.list(dir).sorted().map { ($0, try machine.read(dir + "/" + $0, limit: 16 << 20)) }
    }

    func testLspciText() throws {
        for input in try Self.inputs("FuzzLspciText") {
            _ = try? LspciTextParser.parse(String(decoding: input.bytes, as: UTF8.self))
        }
    }

    func testConfigSpace() throws {
        for input in try Self.inputs("FuzzConfigSpace") {
            let config = ConfigSpace(input.bytes)
            _ = config.capabilities()
            var function = PCIFunction(address: PCIAddress(bus: 1, device: 0, function: 0))
            function.apply(config: config, source: input.name)
        }
    }

    func testKernelCommandLineAndGrubDefaults() throws {
        for input in try Self.inputs("FuzzKernelCmdline") {
            let text = String(decoding: input.bytes, as: UTF8.self)
            _ = KernelCommandLine(text).description
            let grub = GrubDefaults(text: text)
            var environment: [String: String] = [:]
            grub.evaluate(into: &environment)
            _ = GrubConfiguration(files: [grub]).kernelCommandLine
            for line in grub.lines { _ = line.replacingValue(with: ["intel_iommu=on", "iommu=pt"]) }
        }
    }

    func testModprobeConfig() throws {
        for input in try Self.inputs("FuzzModprobe") {
            let text = String(decoding: input.bytes, as: UTF8.self)
            _ = ModprobeConfig(files: [(path: "/etc/modprobe.d/" + input.name, text: text)]).options
        }
    }
}
