import Foundation
import HostAccess
import SRIOVCore

/// Reports waiting to be uploaded: one XML file each in `/var/lib/sriov-wizard/outbox/`,
/// named `<UTC time>-<hash>.xml` so that names sort oldest first. A report is written here
/// (0600, atomically, through `FileEditor`) *before* it is sent and removed only after the
/// server answered 201 or 200, so nothing is lost when the desk's server is down or the
/// upload is interrupted. A report the server refused (4xx) moves to `rejected/` with a
/// `.reason` file beside it: sending the same bytes again would get the same answer.
struct ReportOutbox {
    static let defaultDirectory = "/var/lib/sriov-wizard/outbox"
    let directory: String
    let editor = FileEditor(machine: Machine(root: "/"))
    var machine: Machine { editor.machine }

    var rejectedDirectory: String { directory + "/rejected" }

    /// Queues `xml`; returns the host path of the queued file.
    func enqueue(_ xml: String, now: Date = Date()) throws(HostAccessError) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss.SSS'Z'"
        let hash = HostIdentity.hash(xml).prefix(12)
        let path = directory + "/" + formatter.string(from: now) + "-" + hash + ".xml"
        try editor.replace(path, with: Array(xml.utf8), mode: 0o600)
        return path
    }

    /// Queued reports, oldest first.
    func queued() throws(HostAccessError) -> [String] {
        guard machine.isDirectory(directory) else { return [] }
        return try machine.list(directory).filter { $0.hasSuffix(".xml") && !$0.hasPrefix(".") }.map { directory + "/" + $0 }
    }

    func remove(_ path: String) throws(HostAccessError) {
        try editor.replace(path, with: nil, mode: 0o600)
    }

    /// Moves a refused report to rejected/, with the server's answer in NAME.reason.
    func reject(_ path: String, status: Int, message: String) throws(HostAccessError) -> String {
        let name = String(path.split(separator: "/").last ?? "")
        let target = rejectedDirectory + "/" + name
        let bytes = try machine.read(path, limit: 64 << 20)
        try editor.replace(target, with: bytes, mode: 0o600)
        try editor.replace(String(target.dropLast(4)) + ".reason", with: Array("HTTP \(status): \(message)\n".utf8), mode: 0o600)
        try remove(path)
        return target
    }
}

/// `/etc/sriov-wizard/upload.conf`: where the wizard offers to upload and `report --flush`
/// sends to. One `key=value` per line; blank lines and lines starting with `#` are ignored.
///
///     url=https://reports.example.com:8088
///     token-file=/etc/sriov-wizard/upload.token
///     ca-file=/etc/sriov-wizard/desk-ca.pem
///     redact=true
struct UploadConfig: Equatable {
    static let defaultPath = "/etc/sriov-wizard/upload.conf"
    var url: String?
    var tokenFile: String?
    var caFile: String?
    var redact = false

    /// nil when the file does not exist; an error naming file:line when it cannot be understood.
    static func load(_ path: String) -> Result<UploadConfig?, UploadUsageError> {
        let machine = Machine(root: "/")
        let text: String
        do { text = try machine.readText(path, limit: 64 * 1024) } catch {
            if case .notFound = error { return .success(nil) }
            return .failure(UploadUsageError(tr(error.description, error.spanishDescription)))
        }
        return parse(text, path: path).map { Optional($0) }
    }

    static func parse(_ text: String, path: String) -> Result<UploadConfig, UploadUsageError> {
        var config = UploadConfig()
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw).trimmedSpace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            let at = "\(path):\(index + 1)"
            guard let equals = line.firstIndex(of: "=") else {
                return .failure(UploadUsageError(tr("\(at): expected key=value (url=, token-file=, ca-file=, redact=), found \"\(line.prefix(80))\"", "\(at): se esperaba clave=valor (url=, token-file=, ca-file=, redact=), se encontró \"\(line.prefix(80))\"")))
            }
            let key = String(line[..<equals]).trimmedSpace()
            let value = String(line[line.index(after: equals)...]).trimmedSpace()
            switch key {
            case "url": config.url = value.isEmpty ? nil : value
            case "token-file": config.tokenFile = value.isEmpty ? nil : value
            case "ca-file": config.caFile = value.isEmpty ? nil : value
            case "redact":
                switch value.lowercased() {
                case "true", "yes", "1", "on": config.redact = true
                case "false", "no", "0", "off", "": config.redact = false
                default: return .failure(UploadUsageError(tr("\(at): redact=\(value): give true or false", "\(at): redact=\(value): indique true o false")))
                }
            default:
                return .failure(UploadUsageError(tr("\(at): unknown key \"\(key)\"; the keys are url, token-file, ca-file, redact", "\(at): clave desconocida \"\(key)\"; las claves son url, token-file, ca-file, redact")))
            }
        }
        return .success(config)
    }
}
