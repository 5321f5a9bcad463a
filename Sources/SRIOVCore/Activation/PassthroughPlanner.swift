import HostAccess

/// Plans `qm set VMID -hostpciN ADDR,pcie=1` (qm(1), "hostpci[n]"): the VM must exist, the
/// VF must not be passed to another VM already, N is the first free slot of this VM.
public enum PassthroughPlanner {
    public static let maxSlots = 16

    public static func plan(vmid: String, vf: String, context: CheckContext) throws(ActivationError) -> Plan {
        guard !vmid.isEmpty, vmid.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw ActivationError("--passthrough \(vmid): a VM id is a number (e.g. 100); `qm list` shows them.")
        }
        guard let address = PCIAddress(vf) else {
            // `00:02` / `0000:00:02` (Proxmox "All Functions") names every function of the slot,
            // the PF included: starting the VM would disable every VF.
            if let slot = ProxmoxPassthroughConfig.HostPCIID(vf), slot.function == nil,
               let pf = context.inventory.functions.first(where: { slot.covers($0.address) && $0.role == .pf && !$0.virtfns.isEmpty }) {
                throw ActivationError("--vf \(vf) names every function of the slot (like \"All Functions\" in Proxmox), the PF \(pf.address) included: starting the VM would take the PF from its driver and disable all its VFs. Give one VF, e.g. --vf \(pf.virtfns.first!).")
            }
            throw ActivationError("--vf \(vf): not a PCI address; use the form 0000:01:10.0 (see `sriov-wizard devices`).")
        }
        let machine = context.machine
        let configPath = ProxmoxPassthroughConfig.vmDirectory + "/\(vmid).conf"
        guard machine.kind(configPath) == .regular else {
            throw ActivationError("VM \(vmid) does not exist here (\(configPath) not found); `qm list` shows the VMs of this node.")
        }
        guard let function = context.inventory.function(address) else {
            throw ActivationError("--vf \(address): no such PCI function; create the VFs first (--device PF --vfs N).")
        }
        guard function.role == .vf else {
            if function.role == .pf, GPUHost.kind(function) != nil {
                throw ActivationError("--vf \(address) is the PF of an SR-IOV GPU, not a VF: passing it takes it from its driver, which disables every VF (the kernel logs \"Disabled N VFs\"). Give one of its VFs" + (function.virtfns.first.map { ", e.g. --vf \($0)" } ?? " (`sriov-wizard devices`)") + ".")
            }
            throw ActivationError("--vf \(address) is not a VF" + (function.role == .pf ? " but the PF; passing the PF takes the whole NIC from the host. Give one of its VFs (`sriov-wizard devices`)." : "."))
        }
        let config = ProxmoxPassthroughConfig.read(machine)
        var plan = Plan(title: "pass VF \(address) to VM \(vmid)", stages: [.activation])
        let uses = config.directUses(of: address)
        if let other = uses.first(where: { $0.vmid != vmid }) {
            throw ActivationError("\(address) is already passed to VM \(other.vmid) (\(other.location): \(other.text)); a VF can be given to one running VM only. Pick another VF.")
        }
        if let mine = uses.first {
            plan.alreadyApplied.append("VM \(vmid) already has \(address) (\(mine.location): \(mine.text))")
            return plan
        }
        let taken = Set(config.hostPCI.filter { $0.vmid == vmid }.map(\.slot))
        guard let slot = (0..<maxSlots).first(where: { !taken.contains("hostpci\($0)") }) else {
            throw ActivationError("VM \(vmid) has no free hostpci slot (hostpci0..\(maxSlots - 1) are used).")
        }
        let argv = ["qm", "set", vmid, "-hostpci\(slot)", "\(address),pcie=1"]
        if let text = try? machine.readText(configPath), !text.split(separator: "\n").contains(where: { $0.hasPrefix("machine:") && $0.contains("q35") }) {
            plan.notes.append("pcie=1 needs the q35 machine type; VM \(vmid) does not set `machine: q35` (set it in Hardware > Machine, or drop pcie=1).")
        }
        if machine.isLive && LiveCommandRunner.resolve("qm") == nil {
            plan.manual.append(ShellWords.display(argv) + "   # on the Proxmox host (qm is not installed here)")
            return plan
        }
        plan.steps.append(.command(PlannedCommand(argv, reason: "add the VF to the VM's config (takes effect at the VM's next start)", timeout: 120)))
        plan.pending.append("the VF appears in VM \(vmid) at its next start (`qm stop \(vmid) && qm start \(vmid)`)")
        return plan
    }
}
