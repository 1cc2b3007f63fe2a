// swift-tools-version:6.0
// Seal: unikernels for ARM boards in Embedded Swift. Portable modules build for the host
// (for `swift test`) and for armv7-none-none-eabi in Embedded mode (see toolchain/).
import PackageDescription

var targets: [Target] = [
    // Portable: no MMIO, no assembly, no Foundation; each also builds in Embedded mode.
    .target(name: "Capabilities"),
    .target(name: "DeviceTree"),
    .target(name: "Network", dependencies: ["Capabilities", "Digest", "Runtime"]),
    .target(name: "Digest"),
    .target(name: "HTTP"),
    .target(name: "WebServer", dependencies: ["Capabilities", "Network", "HTTP", "Runtime"]),
    .target(name: "Runtime", dependencies: ["Capabilities", "DeviceTree"]),
    .target(name: "Virtio", dependencies: ["Capabilities"]),
    .target(name: "Storage", dependencies: ["Capabilities", "Digest"]),
    .target(name: "FAT", dependencies: ["Capabilities"]),
    .target(name: "KV", dependencies: ["Capabilities", "Digest"]),
    .target(name: "Xen", dependencies: ["XenABI", "Capabilities"]),

    // Host tools.
    .executableTarget(name: "dtdump", dependencies: ["DeviceTree"]),
    .executableTarget(name: "sealfat", dependencies: ["FAT", "Storage", "Capabilities", "HostDisk"]),

    // Host-only libraries (Linux system calls).
    .target(name: "HostDisk", dependencies: ["Capabilities"]),

    // libfdt, the reference the device-tree parser is checked against (tests only).
    .systemLibrary(name: "LibFDT", path: "Sources/LibFDT"),
    // Xen's public headers (Debian's libxen-dev) with ARM's guest layout: the Xen structs.
    .systemLibrary(name: "XenABI", path: "Sources/XenABI"),

    .testTarget(name: "DeviceTreeTests", dependencies: ["DeviceTree", "LibFDT"],
                resources: [.copy("Fixtures")]),
    .testTarget(name: "NetworkTests", dependencies: ["Network", "Capabilities", "Digest"]),
    .testTarget(name: "DigestTests", dependencies: ["Digest"]),
    .testTarget(name: "HTTPTests", dependencies: ["HTTP"]),
    .testTarget(name: "WebServerTests", dependencies: ["WebServer", "Network", "HTTP", "Capabilities"]),
    .testTarget(name: "RuntimeTests", dependencies: ["Runtime", "Capabilities"]),
    .testTarget(name: "VirtioTests", dependencies: ["Virtio"]),
    .testTarget(name: "StorageTests", dependencies: ["Storage", "Capabilities", "Digest"]),
    .testTarget(name: "FATTests", dependencies: ["FAT", "Storage", "Capabilities"]),
    .testTarget(name: "KVTests", dependencies: ["KV", "Storage", "Capabilities", "Digest"]),
    .testTarget(name: "XenTests", dependencies: ["Xen", "XenABI"]),
]

// `make image BOARD=… APP=…` sets SEAL_BOARD and SEAL_APP: the package then also holds the
// target-only modules, the chosen app as module `App` and the board's glue as executable `Image`.
if let board = Context.environment["SEAL_BOARD"], let app = Context.environment["SEAL_APP"] {
    // Every app gets the network libraries; the storage ones only the apps that use a disk.
    let storageApps: Set<String> = ["site", "kv", "diskbench"]
    let portable: [Target.Dependency] = ["Capabilities", "DeviceTree", "Runtime", "Network", "HTTP", "Digest", "WebServer"]
        + (storageApps.contains(app) ? ["Storage", "FAT", "KV"] : [])
    if board == "host" {
        targets += [
            .target(name: "App", dependencies: portable, path: "Apps/\(app)", exclude: app == "www" ? ["site"] : []),
            .executableTarget(name: "Image", dependencies: portable + ["App", "HostDisk"], path: "Boards/host"),
        ]
    } else {
        targets += [
            .target(name: "ARMBoot", path: "Sources/ARMBoot"),
            .target(name: "Platform", dependencies: ["ARMBoot", "Capabilities", "DeviceTree", "Digest"]),
            .target(name: "Drivers", dependencies: ["Platform", "Capabilities", "DeviceTree", "Virtio", "Storage"]),
            .target(name: "App", dependencies: portable, path: "Apps/\(app)", exclude: app == "www" ? ["site"] : []),
            .executableTarget(name: "Image", dependencies: portable + ["ARMBoot", "Platform", "Drivers", "Virtio", "App"]
                                  + (board == "xen-arm" ? ["Xen", "XenABI"] : []),
                              path: "Boards/\(board)"),
        ]
    }
}

// SEAL_ONLY=DeviceTreeTests,dtdump keeps just those targets and what they depend on, so work in
// progress in one module does not stop another module's tests from building.
if let only = Context.environment["SEAL_ONLY"] {
    var keep = Set(only.split(separator: ",").map(String.init))
    var grew = true
    while grew {
        grew = false
        for target in targets where keep.contains(target.name) {
            for case .targetItem(let name, _) in target.dependencies where !keep.contains(name) {
                keep.insert(name)
                grew = true
            }
            for case .byNameItem(let name, _) in target.dependencies where !keep.contains(name) {
                keep.insert(name)
                grew = true
            }
        }
    }
    targets = targets.filter { keep.contains($0.name) }
}

let executables = targets.filter { $0.type == .executable }.map { $0.name }

let package = Package(
    name: "Seal",
    products: executables.map { .executable(name: $0, targets: [$0]) },
    targets: targets,
    swiftLanguageModes: [.v5]
)
