import XCTest
import HostAccess
import SRIOVCore

/// The shared corpus of real lspci captures (`../shared/corpus` beside the repository clone,
/// described in its SOURCES.md), found from this file's path.
enum LspciCorpus {
    static let directory: String = {
        var parts = String(#filePath).split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)  // LspciTestSupport.swift, SRIOVCoreTests, Tests
        return parts.joined(separator: "/") + "/../shared/corpus"
    }()

    static let machine = Machine(root: "/")

    /// The files of `lspci/` and `hexdump/` as "dir/name", or a skip when the corpus is absent.
    static func files(suffix: String = ".txt") throws -> [String] {
        var result: [String] = []
        for dir in ["lspci", "hexdump"] {
            let names: [String]
            do { names = try machine.list(directory + "/" + dir) } catch {
                throw XCTSkip("the lspci corpus is missing at \(directory)/\(dir) (\(error.description)); the tests need the shared corpus checked out as ../shared beside the repository clone")
            }
            result += names.filter { $0.hasSuffix(suffix) }.sorted().map { dir + "/" + $0 }
        }
        return result
    }

    /// The files of `gpu/` (GPU SR-IOV captures and NIC captures with VFs, gpu/SOURCES.md).
    static func gpuFiles() throws -> [String] {
        do { return try machine.list(directory + "/gpu").filter { $0.hasSuffix(".txt") }.sorted().map { "gpu/" + $0 } } catch {
            throw XCTSkip("the GPU corpus is missing at \(directory)/gpu (\(error.description))")
        }
    }

    static func bytes(_ file: String) throws -> [UInt8] {
        do { return try machine.read(directory + "/" + file, limit: 16 << 20) } catch {
            throw XCTSkip("corpus file \(file) is missing at \(directory) (\(error.description))")
        }
    }

    static func text(_ file: String) throws -> String { String(decoding: try bytes(file), as: UTF8.self) }

    static func parse(_ file: String, names: PCIIDs? = nil) throws -> Inventory {
        try LspciTextParser.parse(text(file), names: names)
    }
}

/// Pastes kept in the repository (`Tests/Fixtures/lspci-pastes`, described in its SOURCES.md).
enum LspciPastes {
    static let directory: String = {
        var parts = String(#filePath).split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(2)
        return parts.joined(separator: "/") + "/Fixtures/lspci-pastes"
    }()

    static func text(_ name: String) throws -> String {
        String(decoding: try LspciCorpus.machine.read(directory + "/" + name, limit: 1 << 20), as: UTF8.self)
    }
}

extension Inventory {
    func function(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> PCIFunction? {
        guard let address = PCIAddress(text) else {
            XCTFail("bad address in test: \(text)", file: file, line: line)
            return nil
        }
        return function(address)
    }
}
