extension Stage {
    /// Stage 4: VFs created, bound, persistent across reboots, and ready to pass to a VM.
    public static let activation = Stage(
        id: .activation,
        title: LocalizedText(en: "Activation in the OS", es: "Activación en el sistema"),
        explanation: LocalizedText(
            en: "The VFs are created by the driver (e.g. `options igb max_vfs=7`) or through sysfs, must come back after a reboot, get their VF driver, and can then be passed to a VM like any PCI device.",
            es: "Las VFs las crea el controlador (p. ej. `options igb max_vfs=7`) o sysfs, deben volver tras un reinicio, reciben su controlador de VF y entonces se pueden pasar a una VM como cualquier dispositivo PCI."),
        checks: [VFsEnabledCheck.self, VFDriverBoundCheck.self, VFsPersistentCheck.self, VFIOMMUGroupsCheck.self,
                 VFMACAddressesCheck.self, VFPassthroughCheck.self]
    )
}
