import Foundation
import Reports
import SRIOVCore
import XMLKit

/// What the fleet needs from one report, extracted once at upload and stored beside its bytes.
public struct ReportSummary: Sendable, Equatable {
    /// Identity of the host: the report's host id when it has one, else `name:` + host name.
    public var hostKey: String
    public var hostId: String?
    public var host: String
    public var kernel: String?
    public var proxmox: String?
    public var time: String?
    public var level: String
    /// Levels of prerequisites, bios, device, activation ("" when the stage is absent).
    public var stages: [String: String]
    public var vfsEnabled: Int
    public var vfsTotal: Int
    /// Ids of failing checks, in stage order, without duplicates.
    public var failing: [String]
    public var boardVendor: String
    public var boardModel: String
    public var biosVersion: String
    /// PF devices: "vendor:device" and driver.
    public var devices: [PFDevice]

    public struct PFDevice: Sendable, Equatable, Hashable {
        public var id: String
        public var driver: String
        public init(id: String, driver: String) { self.id = id; self.driver = driver }
    }

    public static let stageOrder = ["prerequisites", "bios", "device", "activation"]

    init(hostKey: String, hostId: String?, host: String, kernel: String?, proxmox: String?, time: String?, level: String,
         stages: [String: String], vfsEnabled: Int, vfsTotal: Int, failing: [String], boardVendor: String, boardModel: String,
         biosVersion: String, devices: [PFDevice]) {
        self.hostKey = hostKey; self.hostId = hostId; self.host = host; self.kernel = kernel; self.proxmox = proxmox
        self.time = time; self.level = level; self.stages = stages; self.vfsEnabled = vfsEnabled; self.vfsTotal = vfsTotal
        self.failing = failing; self.boardVendor = boardVendor; self.boardModel = boardModel; self.biosVersion = biosVersion
        self.devices = devices
    }

    public init(report r: HostReport, hostId: String?) {
        let name = r.host.hostname ?? ""
        self.hostId = hostId
        hostKey = hostId ?? ("name:" + (name.isEmpty ? "unknown" : name))
        host = name.isEmpty ? "(unknown)" : name
        kernel = r.host.kernel
        proxmox = r.host.proxmox
        time = r.time
        level = r.level.rawValue
        var s: [String: String] = [:]
        for stage in r.stages { s[stage.id.rawValue] = stage.level.rawValue }
        stages = s
        (vfsEnabled, vfsTotal) = r.vfCounts
        var seen = Set<String>()
        failing = r.stages.flatMap(\.checks).filter { $0.level == .fail }.map(\.id).filter { seen.insert($0).inserted }
        func dmi(_ names: String...) -> String {
            for n in names { if let v = r.host.dmi.first(where: { $0.name == n })?.value, !v.isEmpty { return v } }
            return ""
        }
        boardVendor = dmi("board_vendor", "sys_vendor")
        boardModel = dmi("board_name", "product_name")
        biosVersion = dmi("bios_version")
        var devs: [PFDevice] = []
        for d in r.devices where d.role == .pf {
            let dev = PFDevice(id: "\(d.vendorID ?? "????"):\(d.deviceID ?? "????")", driver: d.driver ?? "")
            if !devs.contains(dev) { devs.append(dev) }
        }
        devices = devs
    }
}

/// Why an upload was refused; the HTTP status and a JSON error come from it.
public struct UploadError: Error, Sendable {
    public var status: Int
    public var code: String
    public var message: LocalizedText
}

/// Validation of an uploaded body: the same `ReportXML.read` that `report --from` and `collect` use.
public enum ReportIntake {
    public struct Accepted: Sendable {
        public var report: HostReport
        public var summary: ReportSummary
        public var sha256: String
    }

    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        SHA256.hex(bytes)
    }

    /// Checks the body is UTF-8 XML and a valid report; throws 415/400 with the reason.
    public static func accept(_ bytes: [UInt8]) throws(UploadError) -> Accepted {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw UploadError(status: 415, code: "not-xml", message: LocalizedText(
                en: "the body is not UTF-8 text; send the XML made by `sriov-wizard report --xml FILE`",
                es: "el cuerpo no es texto UTF-8; envíe el XML creado con `sriov-wizard report --xml FICHERO`"))
        }
        let trimmed = text.drop { $0 == "\u{FEFF}" || $0.isWhitespace }
        guard trimmed.hasPrefix("<") else {
            throw UploadError(status: 415, code: "not-xml", message: LocalizedText(
                en: "the body is not XML; send the XML made by `sriov-wizard report --xml FILE`",
                es: "el cuerpo no es XML; envíe el XML creado con `sriov-wizard report --xml FICHERO`"))
        }
        let report: HostReport
        do {
            report = try ReportXML.read(text)
        } catch let e as ReportError {
            throw UploadError(status: 400, code: "invalid-report", message: LocalizedText(
                en: "not a valid sriov-wizard report: \(e.description)",
                es: "no es un informe válido de sriov-wizard: \(e.description)"))
        } catch {
            throw UploadError(status: 400, code: "invalid-report", message: LocalizedText(
                en: "not a valid sriov-wizard report: \(error)", es: "no es un informe válido de sriov-wizard: \(error)"))
        }
        return Accepted(report: report, summary: ReportSummary(report: report, hostId: report.host.hostID),
                        sha256: sha256Hex(bytes))
    }
}
