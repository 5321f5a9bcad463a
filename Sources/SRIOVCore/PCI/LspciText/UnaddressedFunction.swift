/// A function whose lines were pasted without their device line (an `lspci -vv` output cut down
/// to one capability, as people post it in mails and tickets), so its address is unknown.
/// `Inventory.functions` holds only functions with a real address; these are kept apart rather
/// than given a made-up one such as 0000:00:00.0.
public struct UnaddressedFunction: Sendable, Equatable {
    /// 1-based line of the input where the function's lines start.
    public var firstLine: Int
    public var vendorID: UInt16?
    public var deviceID: UInt16?
    public var classCode: UInt32?
    public var capabilities: [Capability]?
    public var extendedCapabilitiesKnown: Bool?
    public var express: PCIExpressCapability?
    public var ari: ARICapability?
    public var acs: ACSCapability?
    public var sriov: SRIOVState?

    public init(firstLine: Int) { self.firstLine = firstLine }

    /// The same rule as `PCIFunction.hasSRIOV`: nil when the lines that would tell are missing.
    public var hasSRIOV: Bool? {
        if sriov != nil { return true }
        return extendedCapabilitiesKnown == true ? false : nil
    }
}

extension UnaddressedFunction {
    /// The `devices --format json` shape (`unaddressed`): where the lines start, and what
    /// they say, in the members a function with an address has.
    public var json: JSONValue {
        .object([
            ("firstLine", .int(firstLine)),
            ("vendorId", .optional(vendorID.map { hex($0, 4) })),
            ("deviceId", .optional(deviceID.map { hex($0, 4) })),
            ("classCode", .optional(classCode.map { hex($0, 6) })),
            ("ari", .optional(ari != nil ? true : nil)),  // a fragment is cut: no ARI line proves nothing
            ("sriov", sriov.map(\.json) ?? .null),
            ("pcieType", .optional(express?.portType?.name)),
        ])
    }
}
