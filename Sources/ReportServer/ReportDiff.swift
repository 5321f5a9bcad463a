import Reports
import SRIOVCore

/// What changed between two reports: checks that changed level (or appeared/disappeared),
/// devices whose driver, IDs or VF counts changed, VFs that appeared or went away.
public struct ReportDiff: Sendable, Equatable {
    public struct CheckChange: Sendable, Equatable {
        public var id: String
        public var device: String?
        public var stage: String
        /// nil: the check is not in that report.
        public var from: String?
        public var to: String?
    }

    public struct DeviceChange: Sendable, Equatable {
        public var address: String
        public var field: String
        public var from: String?
        public var to: String?
    }

    public var fromID: String
    public var toID: String
    public var levelFrom: String
    public var levelTo: String
    public var checks: [CheckChange]
    public var devices: [DeviceChange]
    public var vfsAdded: [String]
    public var vfsRemoved: [String]
    public var vfsFrom: (enabled: Int, total: Int)
    public var vfsTo: (enabled: Int, total: Int)

    public static func == (a: ReportDiff, b: ReportDiff) -> Bool {
        a.fromID == b.fromID && a.toID == b.toID && a.checks == b.checks && a.devices == b.devices && a.vfsAdded == b.vfsAdded
            && a.vfsRemoved == b.vfsRemoved
    }

    public init(from a: HostReport, to b: HostReport, fromID: String, toID: String) {
        self.fromID = fromID
        self.toID = toID
        levelFrom = a.level.rawValue
        levelTo = b.level.rawValue
        vfsFrom = a.vfCounts
        vfsTo = b.vfCounts

        func checks(_ r: HostReport) -> [(key: String, stage: String, check: ReportCheck)] {
            r.stages.flatMap { s in s.checks.map { ($0.id + "\u{1}" + ($0.device ?? ""), s.id.rawValue, $0) } }
        }
        let before = checks(a), after = checks(b)
        let beforeMap = Dictionary(before.map { ($0.key, $0) }, uniquingKeysWith: { x, _ in x })
        let afterMap = Dictionary(after.map { ($0.key, $0) }, uniquingKeysWith: { x, _ in x })
        var changes: [CheckChange] = []
        for c in after {
            let old = beforeMap[c.key]
            if old?.check.level != c.check.level {
                changes.append(CheckChange(id: c.check.id, device: c.check.device, stage: c.stage, from: old?.check.level.rawValue,
                                           to: c.check.level.rawValue))
            }
        }
        for c in before where afterMap[c.key] == nil {
            changes.append(CheckChange(id: c.check.id, device: c.check.device, stage: c.stage, from: c.check.level.rawValue, to: nil))
        }
        self.checks = changes

        func functions(_ r: HostReport) -> [String: ReportDevice] {
            var out: [String: ReportDevice] = [:]
            for d in r.devices {
                out[d.address] = d
                for v in d.vfs { out[v.address] = v }
            }
            return out
        }
        let fa = functions(a), fb = functions(b)
        var devs: [DeviceChange] = []
        var added: [String] = [], removed: [String] = []
        for address in Set(fa.keys).union(fb.keys).sorted() {
            let x = fa[address], y = fb[address]
            let isVF = (x ?? y)?.role == .vf
            if x == nil || y == nil {
                if isVF {
                    if x == nil { added.append(address) } else { removed.append(address) }
                } else {
                    devs.append(DeviceChange(address: address, field: "present", from: x == nil ? nil : "yes", to: y == nil ? nil : "yes"))
                }
                continue
            }
            guard let x, let y else { continue }
            func cmp(_ field: String, _ f: (ReportDevice) -> String?) {
                let p = f(x), q = f(y)
                if p != q { devs.append(DeviceChange(address: address, field: field, from: p, to: q)) }
            }
            cmp("id") { d in d.vendorID.map { "\($0):\(d.deviceID ?? "????")" } }
            cmp("driver") { $0.driver }
            cmp("numVFs") { $0.sriov?.numVFs.map(String.init) }
            cmp("totalVFs") { $0.sriov?.totalVFs.map(String.init) }
            cmp("iommuGroup") { $0.iommuGroup.map(String.init) }
        }
        devices = devs
        vfsAdded = added
        vfsRemoved = removed
    }

    public func json() -> JSONValue {
        func opt(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
        return .object([
            ("from", .string(fromID)), ("to", .string(toID)),
            ("level", .object([("from", .string(levelFrom)), ("to", .string(levelTo))])),
            ("checks", .array(checks.map { c in .object([
                ("id", .string(c.id)), ("device", opt(c.device)), ("stage", .string(c.stage)), ("from", opt(c.from)), ("to", opt(c.to)),
            ]) })),
            ("devices", .array(devices.map { d in .object([
                ("address", .string(d.address)), ("field", .string(d.field)), ("from", opt(d.from)), ("to", opt(d.to)),
            ]) })),
            ("vfs", .object([
                ("from", .object([("enabled", .int(vfsFrom.enabled)), ("possible", .int(vfsFrom.total))])),
                ("to", .object([("enabled", .int(vfsTo.enabled)), ("possible", .int(vfsTo.total))])),
                ("added", .array(vfsAdded.map { .string($0) })),
                ("removed", .array(vfsRemoved.map { .string($0) })),
            ])),
        ])
    }
}
