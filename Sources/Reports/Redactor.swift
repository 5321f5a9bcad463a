import Foundation
import SRIOVCore

/// The report side of `Redactor` (SRIOVCore, shared with `snapshot --redact`).
extension Redactor {
    /// The report with every string redacted (texts, evidence, attributes alike).
    public mutating func redact(_ report: HostReport) -> HostReport {
        if let name = report.host.hostname { add(hostnames: [name]) }
        var copy = report.mapStrings { self.redact($0) }
        copy.redacted = true
        return copy
    }
}

extension HostReport {
    /// The report with `transform` applied to every string it holds, in document order.
    public func mapStrings(_ transform: (String) -> String) -> HostReport {
        func opt(_ s: String?) -> String? { s.map(transform) }
        func device(_ d: ReportDevice) -> ReportDevice {
            var d = d
            d.address = transform(d.address)
            d.vendorID = opt(d.vendorID)
            d.deviceID = opt(d.deviceID)
            d.vendorName = opt(d.vendorName)
            d.deviceName = opt(d.deviceName)
            d.driver = opt(d.driver)
            let vfDeviceID = opt(d.sriov?.vfDeviceID)
            d.sriov?.vfDeviceID = vfDeviceID
            d.netdevs = d.netdevs.map { ReportNetdev(name: transform($0.name), mac: opt($0.mac)) }
            d.vfs = d.vfs.map(device)
            return d
        }
        var r = self
        r.tool = transform(tool)
        r.toolVersion = transform(toolVersion)
        r.time = opt(time)
        r.host.hostname = opt(host.hostname)
        r.host.kernel = opt(host.kernel)
        r.host.cmdline = opt(host.cmdline)
        r.host.os = opt(host.os)
        r.host.proxmox = opt(host.proxmox)
        r.host.cpuVendor = opt(host.cpuVendor)
        r.host.cpuModel = opt(host.cpuModel)
        r.host.cpuFlags = host.cpuFlags.map(transform)
        r.host.dmi = host.dmi.map { DMIField(name: transform($0.name), value: transform($0.value)) }
        r.stages = stages.map { stage in
            ReportStage(id: stage.id, title: transform(stage.title), checks: stage.checks.map {
                ReportCheck(id: transform($0.id), level: $0.level, device: opt($0.device), summary: transform($0.summary),
                            hint: transform($0.hint), evidence: $0.evidence.map(transform))
            })
        }
        r.devices = devices.map(device)
        r.iommuGroups = iommuGroups.map { IOMMUGroupEntry(number: $0.number, devices: $0.devices.map(transform)) }
        r.guestDrivers = guestDrivers.map {
            GuestDriverEntry(device: transform($0.device), deviceName: opt($0.deviceName), pfDriver: opt($0.pfDriver),
                             linuxDriver: opt($0.linuxDriver),
                             windows: $0.windows.map { WindowsDriverEntry(package: transform($0.package), url: opt($0.url), note: opt($0.note)) })
        }
        r.changes = changes?.map {
            ChangeRecord(id: transform($0.id), state: $0.state, time: opt($0.time), file: opt($0.file),
                         command: opt($0.command), description: transform($0.description))
        }
        r.issues = issues.map { ReportIssue(path: transform($0.path), message: transform($0.message)) }
        r.evidence = evidence.map { RawEvidence(source: transform($0.source), lines: $0.lines.map(transform)) }
        return r
    }
}
