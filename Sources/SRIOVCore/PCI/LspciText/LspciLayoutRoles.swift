/// Roles told from the layout of a listing that shows no capabilities (`lspci`, `-nn`,
/// `-nnk`, `lspci | grep VGA`, or `-v` blocks cut short): only where the layout leaves no
/// other reading, so a real multi-function device (a NIC's ports 02:00.0 and 02:00.1) is
/// never taken for a PF and its VFs.
extension LspciRoles {
    static func inferFromLayout(_ functions: inout [PCIFunction], index: [PCIAddress: Int]) -> [LocalizedText] {
        var notes: [LocalizedText] = []
        if let note = integratedGraphicsVFs(&functions, index: index) { notes.append(note) }
        notes += pfsOfNamedVFs(&functions)
        return notes
    }

    /// Intel integrated graphics is a single-function device at 00:02.0 (the PF); its SR-IOV
    /// VFs are 00:02.1-00:02.7 (VF offset 1, stride 1) with the PF's name and device ID
    /// (i915-sriov-dkms, xe: the VF device ID equals the PF's). So display-class functions in
    /// that slot with the PF's identity are its VFs, unless the PF's own capability says it
    /// has none enabled (NumVFs 0) or already placed them.
    static func integratedGraphicsVFs(_ functions: inout [PCIFunction], index: [PCIAddress: Int]) -> LocalizedText? {
        var notes: [LocalizedText] = []
        for pf in functions.indices {
            let address = functions[pf].address
            guard address.bus == 0, address.device == 2, address.function == 0,
                  functions[pf].role != .vf, isIntel(functions[pf]), isDisplay(functions[pf]) else { continue }
            if let numVFs = functions[pf].sriov?.numVFs, numVFs == 0 || !functions[pf].virtfns.isEmpty { continue }
            var found: [PCIAddress] = []
            for fn in UInt8(1)...7 {
                let vfAddress = PCIAddress(domain: address.domain, bus: 0, device: 2, function: fn)
                guard let vf = index[vfAddress], functions[vf].role != .pf, functions[vf].physfn == nil,
                      isDisplay(functions[vf]), sameIdentity(functions[vf], functions[pf]) else { continue }
                functions[vf].role = .vf
                functions[vf].physfn = address
                functions[vf].roleInferredFrom = "layout"
                found.append(vfAddress)
            }
            guard !found.isEmpty else { continue }
            functions[pf].virtfns += found
            if functions[pf].role != .pf {
                functions[pf].role = .pf
                functions[pf].roleInferredFrom = "layout"
            }
            notes.append(LocalizedText(
                en: "\(range(found)) taken as \(found.count == 1 ? "a VF" : "VFs") of \(address.shortDescription) from the layout: Intel integrated graphics is a single-function device at 00:02.0, so more display functions in its slot with its name and device ID are its SR-IOV VFs (this output shows no SR-IOV capability lines that would say so)",
                es: "\(range(found)) \(found.count == 1 ? "tomada como VF" : "tomadas como VFs") de \(address.shortDescription) por la disposición: los gráficos integrados de Intel son un dispositivo de una sola función en 00:02.0, así que otras funciones de pantalla en su ranura con su nombre e ID de dispositivo son sus VFs de SR-IOV (esta salida no muestra las líneas de la capacidad SR-IOV que lo dirían)"))
        }
        return notes.isEmpty ? nil : LocalizedText(en: notes.map(\.en).joined(separator: "; "), es: notes.map(\.es).joined(separator: "; "))
    }

    /// VFs named "... Virtual Function" whose PF the output does not place: the functions
    /// before them with the same vendor and the same name without "Virtual Function" are PFs
    /// (`MT27700 Family [ConnectX-4]` for `MT27700 Family [ConnectX-4 Virtual Function]`),
    /// and the VFs are linked to the first of them, since VFs follow the PF that made them
    /// and a second PF's VFs come after the first PF's. Which PF made which VF cannot be seen
    /// when more than one has VFs enabled; the note says so.
    static func pfsOfNamedVFs(_ functions: inout [PCIFunction]) -> [LocalizedText] {
        var linked: [Int: [PCIAddress]] = [:]
        var siblings: [Int: [Int]] = [:]
        var order: [Int] = []
        var byName: [String: [Int]] = [:]
        for i in functions.indices where functions[i].role != .vf && functions[i].virtfns.isEmpty && (functions[i].sriov?.numVFs ?? 1) > 0 {
            if let name = functions[i].deviceName { byName[name, default: []].append(i) }
        }
        for vf in functions.indices where functions[vf].role == .vf && functions[vf].physfn == nil && functions[vf].roleInferredFrom == "name" {
            guard let base = nameWithoutVF(functions[vf]), let named = byName[base] else { continue }
            let candidates = named.filter { i in
                functions[i].address < functions[vf].address && functions[i].address.domain == functions[vf].address.domain
                    && sameVendor(functions[i], functions[vf])
            }.sorted { functions[$0].address < functions[$1].address }
            guard let pf = candidates.first else { continue }
            functions[vf].physfn = functions[pf].address
            functions[vf].roleInferredFrom = "layout"
            if linked[pf] == nil { order.append(pf) }
            linked[pf, default: []].append(functions[vf].address)
            siblings[pf] = candidates
        }
        var notes: [LocalizedText] = []
        for pf in order {
            let vfs = linked[pf] ?? []
            functions[pf].virtfns += vfs
            var pfs: [PCIAddress] = []
            for i in siblings[pf] ?? [] where functions[i].role != .vf {
                if functions[i].role == .none {
                    functions[i].role = .pf
                    functions[i].roleInferredFrom = "layout"
                }
                pfs.append(functions[i].address)
            }
            var note = "\(range(vfs)) (named \"Virtual Function\") taken as VFs of \(functions[pf].address.shortDescription), the first function with the same name without \"Virtual Function\""
            var noteES = "\(range(vfs)) (llamadas \"Virtual Function\") tomadas como VFs de \(functions[pf].address.shortDescription), la primera función con el mismo nombre sin \"Virtual Function\""
            if pfs.count > 1 {
                let list = pfs.map(\.shortDescription).joined(separator: ", ")
                note += "; \(list) taken as PFs. This output has no SR-IOV capability lines, so if more than one of them has VFs enabled, which made which is not shown"
                noteES += "; \(list) tomadas como PFs. Esta salida no tiene líneas de la capacidad SR-IOV, así que si más de una tiene VFs activadas, no se ve cuál creó cuáles"
            }
            notes.append(LocalizedText(en: note, es: noteES))
        }
        return notes
    }

    static func nameWithoutVF(_ f: PCIFunction) -> String? {
        guard let name = f.deviceName else { return nil }
        for marker in [" Virtual Function", " virtual function", "Virtual Function ", "virtual function "] {
            if let range = name.firstRange(of: marker) {
                return String(name[name.startIndex..<range.lowerBound] + name[range.upperBound...])
            }
        }
        return nil
    }

    static func isIntel(_ f: PCIFunction) -> Bool {
        if let vendor = f.vendorID { return vendor == 0x8086 }
        return (f.vendorName ?? f.deviceName)?.hasPrefix("Intel Corporation") == true
    }

    /// Base class 03 (VGA compatible, XGA, 3D, other display controller).
    static func isDisplay(_ f: PCIFunction) -> Bool {
        if let code = f.classCode { return code >> 16 == 0x03 }
        guard let name = f.className else { return false }
        return ["VGA compatible controller", "XGA compatible controller", "3D controller", "Display controller"].contains(name)
    }

    static func sameVendor(_ a: PCIFunction, _ b: PCIFunction) -> Bool {
        if let x = a.vendorID, let y = b.vendorID { return x == y }
        return a.vendorName == b.vendorName
    }

    /// Same device ID where both are known, else the same printed name.
    static func sameIdentity(_ a: PCIFunction, _ b: PCIFunction) -> Bool {
        if let x = a.deviceID, let y = b.deviceID { return x == y && sameVendor(a, b) }
        return a.deviceName != nil && a.deviceName == b.deviceName && a.vendorName == b.vendorName
    }

    /// `00:02.1-00:02.7`, or the addresses when they are not consecutive functions.
    static func range(_ addresses: [PCIAddress]) -> String {
        guard let first = addresses.first, let last = addresses.last else { return "" }
        if addresses.count == 1 { return first.shortDescription }
        let consecutive = zip(addresses, addresses.dropFirst()).allSatisfy { $1.routingID == $0.routingID &+ 1 }
        return consecutive ? first.shortDescription + "-" + last.shortDescription : addresses.map(\.shortDescription).joined(separator: ", ")
    }
}
