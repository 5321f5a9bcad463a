import XCTest
import SRIOVCore

/// Deterministic mutations of the corpus (truncation, shuffled, deleted, duplicated and
/// flattened lines, flipped bytes, spliced files, huge numbers): the parser must return or
/// refuse with a line number, never trap or hang, and what it returns must hang together.
final class LspciFuzzTests: XCTestCase {
    func testMutatedCorpusNeverCrashes() throws {
        let files = try LspciCorpus.files() + LspciCorpus.gpuFiles()
        let sources = try files.map { try LspciCorpus.bytes($0) }
        let small = sources.filter { $0.count < 64 << 10 }
        let large = sources.filter { $0.count >= 64 << 10 }
        var random = DeterministicRandom(seed: 0x5eed_0f_15c1)
        var parsed = 0, refused = 0
        for round in 0..<3000 {
            let pool = round % 100 == 0 && !large.isEmpty ? large : small
            var bytes = pool[random.below(pool.count)]
            for _ in 0...random.below(3) { bytes = mutate(bytes, &random, sources: small) }
            if check(bytes, round: round) { parsed += 1 } else { refused += 1 }
        }
        // Both outcomes must occur, or the mutations test nothing. Refusals are rare: lines
        // that are not lspci output are skipped, and only input with none is refused.
        XCTAssertGreaterThan(parsed, 300)
        XCTAssertGreaterThan(refused, 5)
    }

    func testPathologicalInputsFinish() {
        let device = "00:00.0 Host bridge: Intel Corporation Device 1237\n"
        let inputs: [String] = [
            String(repeating: "x", count: 2 << 20),
            String(repeating: " ", count: 1 << 20) + "\n",
            String(repeating: "\n", count: 200_000),
            device + String(repeating: "\tCapabilities: [100 v1] #19\n", count: 50_000),
            device + String(repeating: "00: 86 80 37 12 00 00 00 00 00 00 00 06 00 00 00 00\n", count: 10_000),
            device + (0..<300).map { "\(hex($0 * 16, 3)): " + String(repeating: "ff ", count: 16) + "\n" }.joined(),
            device + "\tCapabilities: [160 v1] Single Root I/O Virtualization (SR-IOV)\n\t\tInitial VFs: 99999999999999999999999, Total VFs: -1, Number of VFs: 65535, Function Dependency Link: zz\n\t\tVF offset: 65535, stride: 65535, Device ID: 10ed\n",
            String(repeating: "\u{0}\u{1b}[\u{a0}\r", count: 100_000),
            String(repeating: "ff:1f.7 a: b\n\t[\n", count: 20_000),
            // Thousands of PFs claiming 65535 VFs each, and one address repeated with ever new capabilities.
            (0..<4000).map { "\(PCIAddress(domain: UInt32($0), bus: 0, device: 0, function: 0)) Ethernet controller: X\n\tCapabilities: [160 v1] Single Root I/O Virtualization (SR-IOV)\n\t\tInitial VFs: 1, Total VFs: 65535, Number of VFs: 65535, Function Dependency Link: 00\n\t\tVF offset: 1, stride: 1, Device ID: 10ed\n" }.joined(),
            (0..<4000).map { "00:00.0 Host bridge: X\n\tCapabilities: [\(hex(0x100 + ($0 % 3800) * 1, 3)) v1] #\(hex($0 % 256, 2))\n" }.joined(),
        ]
        for (i, input) in inputs.enumerated() {
            let clock = ContinuousClock()
            let elapsed = clock.measure { _ = try? LspciTextParser.parse(input) }
            XCTAssertLessThan(elapsed, .seconds(10), "input \(i)")
        }
    }

    /// Parses; true when it returned, false when it refused (with a sane line number).
    func check(_ bytes: [UInt8], round: Int) -> Bool {
        let text = String(decoding: bytes, as: UTF8.self)
        do {
            let inventory = try LspciTextParser.parse(text)
            checkConsistency(inventory, round: round)
            return true
        } catch {
            var lineCount = 1
            for byte in bytes where byte == 0x0a { lineCount += 1 }
            XCTAssertTrue((1...lineCount).contains(error.line), "round \(round): line \(error.line) of \(lineCount)")
            XCTAssertFalse(error.message.isEmpty)
            return false
        }
    }

    func checkConsistency(_ inventory: Inventory, round: Int) {
        var byAddress: [PCIAddress: PCIFunction] = [:]
        for f in inventory.functions {
            XCTAssertNil(byAddress[f.address], "round \(round): \(f.address) twice")
            byAddress[f.address] = f
        }
        for f in inventory.functions {
            if f.role == .pf, f.roleInferredFrom != "layout" { XCTAssertNotNil(f.sriov, "round \(round): PF \(f.address) without SR-IOV") }
            if let pf = f.physfn {
                XCTAssertEqual(f.role, .vf)
                XCTAssertTrue(byAddress[pf]?.virtfns.contains(f.address) == true, "round \(round): \(f.address) -> \(pf)")
            }
            for vf in f.virtfns { XCTAssertEqual(byAddress[vf]?.physfn, f.address, "round \(round): \(f.address) -> \(vf)") }
        }
        XCTAssertFalse(inventory.functions.isEmpty && inventory.unaddressedFunctions.isEmpty, "round \(round): nothing returned")
    }

    // MARK: - mutations

    func mutate(_ bytes: [UInt8], _ random: inout DeterministicRandom, sources: [[UInt8]]) -> [UInt8] {
        let kind = random.below(9)
        switch kind {
        case 0: return Array(bytes.prefix(random.below(bytes.count + 1)))
        case 4: return flipBytes(bytes, &random)
        case 5:
            let other = sources[random.below(sources.count)]
            return Array(bytes.prefix(random.below(bytes.count + 1)) + other.suffix(random.below(other.count + 1)))
        case 7: return replaceNumber(bytes, &random)
        default: return mutateLines(bytes, kind, &random)
        }
    }

    func mutateLines(_ bytes: [UInt8], _ kind: Int, _ random: inout DeterministicRandom) -> [UInt8] {
        var lines = bytes.split(separator: 0x0a, omittingEmptySubsequences: false)
        switch kind {
        case 1:
            let start = random.below(lines.count)
            lines.removeSubrange(start..<min(lines.count, start + 1 + random.below(8)))
        case 2:
            for _ in 0..<(1 + random.below(6)) { lines.swapAt(random.below(lines.count), random.below(lines.count)) }
        case 3:
            let start = random.below(lines.count)
            let chunk = lines[start..<min(lines.count, start + 1 + random.below(20))]
            lines.insert(contentsOf: chunk, at: random.below(lines.count + 1))
        case 6:
            lines = lines.map { $0.drop { $0 == 0x09 || $0 == 0x20 } }
        default:
            let junk = (0..<random.below(80)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            lines.insert(junk[...], at: random.below(lines.count + 1))
        }
        return Array(lines.joined(separator: [0x0a]))
    }

    static let interesting: [UInt8] = Array("\0\n\r\t :[]()#,+-0fF.".utf8) + [0xc2, 0xa0, 0xff, 0x1b, 0xe2]

    func flipBytes(_ bytes: [UInt8], _ random: inout DeterministicRandom) -> [UInt8] {
        guard !bytes.isEmpty else { return bytes }
        var result = bytes
        for _ in 0..<(1 + random.below(12)) {
            let value = random.below(3) == 0 ? UInt8(truncatingIfNeeded: random.next()) : Self.interesting[random.below(Self.interesting.count)]
            result[random.below(result.count)] = value
        }
        return result
    }

    /// Swaps a run of digits for a number far too big for any field.
    func replaceNumber(_ bytes: [UInt8], _ random: inout DeterministicRandom) -> [UInt8] {
        guard !bytes.isEmpty else { return bytes }
        var start = random.below(bytes.count)
        while start < bytes.count, !(0x30...0x39).contains(bytes[start]) { start += 1 }
        var end = start
        while end < bytes.count, (0x30...0x39).contains(bytes[end]) { end += 1 }
        guard start < end else { return bytes }
        let big = ["99999999999999999999999", "65536", "4294967296", "0", "ffff"][random.below(5)]
        return Array(bytes[..<start] + Array(big.utf8) + bytes[end...])
    }
}
