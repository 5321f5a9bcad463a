extension PCIFunction {
    /// The `devices --format json` shape of one function (documented in the README).
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("address", .string(address.description)),
            ("vendorId", .optional(vendorID.map { hex($0, 4) })),
            ("deviceId", .optional(deviceID.map { hex($0, 4) })),
            ("subsystemVendorId", .optional(subsystemVendorID.map { hex($0, 4) })),
            ("subsystemDeviceId", .optional(subsystemDeviceID.map { hex($0, 4) })),
            ("classCode", .optional(classCode.map { hex($0, 6) })),
            ("revision", .optional(revision.map { hex($0, 2) })),
            ("vendorName", .optional(vendorName)),
            ("deviceName", .optional(deviceName)),
            ("className", .optional(className)),
            ("driver", .optional(driver)),
            ("role", .string(role.rawValue)),
            ("physfn", .optional(physfn?.description)),
            ("virtfns", .array(virtfns.map { .string($0.description) })),
            ("ari", .optional(hasARI)),
            ("sriov", sriov.map(\.json) ?? .null),
            ("iommuGroup", .optional(iommuGroup)),
            ("netdevs", .array(netdevs.map { .string($0) })),
            ("pcieType", .optional(express?.portType?.name)),
            ("extendedCapabilitiesKnown", .optional(extendedCapabilitiesKnown)),
            ("capabilities", capabilities.map { caps in
                .array(caps.map { cap in
                    .object([
                        ("space", .string(cap.space.rawValue)),
                        ("id", .string(hex(cap.id, cap.space == .standard ? 2 : 4))),
                        ("offset", .string(hex(cap.offset, cap.space == .standard ? 2 : 3))),
                        ("version", .optional(cap.version.map(Int.init))),
                        ("name", .string(cap.name)),
                    ])
                })
            } ?? .null),
        ]
        if let roleInferredFrom { members.append(("roleInferredFrom", .string(roleInferredFrom))) }
        if let express, express.portType?.isDownstreamFacing == true {
            members.append(("ariForwarding", .object([
                ("supported", .optional(express.ariForwardingSupported)),
                ("enabled", .optional(express.ariForwardingEnabled)),
            ])))
        }
        return .object(members)
    }
}

extension SRIOVState {
    public var json: JSONValue {
        .object([
            ("initialVFs", .optional(initialVFs)),
            ("totalVFs", .optional(totalVFs)),
            ("numVFs", .optional(numVFs)),
            ("vfOffset", .optional(vfOffset)),
            ("vfStride", .optional(vfStride)),
            ("vfDeviceId", .optional(vfDeviceID.map { hex($0, 4) })),
            ("vfEnable", .optional(capability?.vfEnable)),
            ("ariHierarchy", .optional(capability?.ariHierarchy)),
            ("configTotalVFs", .optional(configTotalVFs)),
            ("driversAutoprobe", .optional(driversAutoprobe)),
            ("capabilityOffset", .optional(capability.map { hex($0.offset, 3) })),
            ("source", .string(source)),
        ])
    }
}

extension Inventory {
    /// `{"devices": [...], "issues": [...]}`
    public func json(functions: [PCIFunction]) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("source", .string(source)),
            ("devices", .array(functions.map(\.json))),
            ("issues", .array(issues.map { .object([("path", .string($0.path)), ("message", .string($0.message))]) })),
        ]
        if !unaddressedFunctions.isEmpty { members.append(("unaddressed", .array(unaddressedFunctions.map(\.json)))) }
        return .object(members)
    }
}
