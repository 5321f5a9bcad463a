extension Stage {
    /// Stage 1: what PCI passthrough needs before SR-IOV matters.
    public static let prerequisites = Stage(
        id: .prerequisites,
        title: LocalizedText(en: "Passthrough prerequisites", es: "Requisitos de passthrough"),
        explanation: LocalizedText(
            en: "A VF is passed to a VM like any PCI device, so the host needs CPU virtualization, an active IOMMU with interrupt remapping, the right kernel command line and the vfio modules.",
            es: "Una VF se pasa a una VM como cualquier dispositivo PCI, así que el host necesita virtualización de CPU, una IOMMU activa con remapeo de interrupciones, la línea de comandos del kernel correcta y los módulos vfio."),
        checks: [CPUVirtualizationCheck.self, IOMMUActiveCheck.self, IOMMUKernelCmdlineCheck.self,
                 InterruptRemappingCheck.self, VFIOModulesCheck.self]
    )
}
