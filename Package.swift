// swift-tools-version:6.0
import PackageDescription

/// The libraries the static Foundation needs: the kits were compiled against the shared
/// Foundation, whose modules do not name them.
let staticFoundationLibraries = [
    "-lCoreFoundation", "-l_FoundationICU", "-lswiftSynchronization",
    "-lFoundationInternationalization", "-l_FoundationCShims", "-lFoundationEssentials",
    "-l_FoundationCollections", "-lswiftDispatch", "-ldispatch", "-lBlocksRuntime",
]

/// Links the Swift runtime, Foundation and Dispatch into an executable.
let staticSwiftRuntime = ["-static-stdlib"] + staticFoundationLibraries

/// For a program started once per request: no dynamic symbol table of every symbol linked in
/// (the runtime's start-up `dladdr` scans it), and a fixed load address, so that nothing
/// relocates, page by page, the ~110,000 pointers of the Swift metadata. Like Go's executables,
/// the image itself then has no address randomisation (docs/performance.md).
let fastStartup = ["-Xlinker", "--no-export-dynamic", "-Xclang-linker", "-no-pie"]

/// lbclient, which snmpd's `pass` starts for every request: a static executable, glibc, libstdc++
/// and libgcc included, so that there is no dynamic loader at all (no mapping, relocation or
/// symbol look-up of libc, libm, libstdc++ and libgcc_s, whose start-up also probes the CPU;
/// docs/performance.md). `-lstdc++ -lm` serve the Foundation libraries, which come after
/// swiftc's own. With a static glibc, `dlsym` finds nothing (the SystemCallShims target names
/// the functions it was used for) and host names resolve from /etc/hosts and DNS only
/// (docs/lbclient.md): lbclient is built on, or for, the distribution it runs on.
let staticExecutable =
    ["-static-executable"] + staticFoundationLibraries + ["-lstdc++", "-lm"] + fastStartup

let package = Package(
    name: "LoadBalancing",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lbd", targets: ["lbd"]),
        .executable(name: "lbclient", targets: ["lbclient"]),
        .library(name: "LBCore", targets: ["LBCore"]),
        .library(name: "SNMP", targets: ["SNMP"]),
        .library(name: "DNS", targets: ["DNS"]),
        .library(name: "LBClientKit", targets: ["LBClientKit"]),
        .library(name: "LBDaemonKit", targets: ["LBDaemonKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // Value types and the pure selection function; no I/O, no dependencies.
        .target(name: "LBCore"),
        // Starting child programs (posix_spawn, process groups, no inherited descriptors):
        // lbclient's command checks, lbbench's peers and the tests' peers.
        .target(name: "ProcessSpawning", dependencies: ["SystemCallShims"]),
        // C library calls that Swift's Glibc module does not declare (they need _GNU_SOURCE),
        // called by name so that a static executable links them: no dlsym.
        .target(name: "SystemCallShims"),
        // Threads for blocking work and for the UDP servers' own loops.
        .target(name: "OSThreads"),
        // UDP sockets bound to 0.0.0.0 or :: that answer from the address asked (SNMP and DNS).
        .target(
            name: "UDPReplySource",
            dependencies: [
                "SystemCallShims",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Reusable protocol libraries: they know nothing about aliases or loads.
        .target(
            name: "SNMP",
            dependencies: [
                "UDPReplySource", "OSThreads",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(
            name: "DNS",
            dependencies: [
                "UDPReplySource", "OSThreads",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Node side and daemon side.
        .target(
            name: "LBClientKit",
            dependencies: [
                "LBCore", "SNMP", "ProcessSpawning", "OSThreads",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "LBDaemonKit",
            dependencies: [
                "LBCore", "SNMP", "DNS",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // Log lines (text or JSON) for both daemons.
        .target(
            name: "LBLogging",
            dependencies: [.product(name: "Logging", package: "swift-log")]
        ),
        .executableTarget(
            name: "lbd",
            dependencies: [
                "LBDaemonKit", "LBCore", "SNMP", "DNS", "LBLogging",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            // No relocated copies of the shared libraries' data: about 4 MB less RSS; no dynamic
            // symbol table of every symbol linked in, which the loader's look-ups read (5 MB of
            // the executable; docs/performance.md).
            linkerSettings: [
                .unsafeFlags(staticSwiftRuntime + ["-Xlinker", "--no-export-dynamic"], .when(platforms: [.linux]))
            ]
        ),
        .executableTarget(
            name: "lbclient",
            dependencies: [
                "LBClientKit", "LBCore", "SNMP", "LBLogging", "ProcessSpawning",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // snmpd's `pass` starts lbclient for every request: a static executable saves the
            // dynamic loader's work (docs/performance.md).
            linkerSettings: [.unsafeFlags(staticExecutable, .when(platforms: [.linux]))]
        ),
        // Benchmarks are programs that print figures, never timed tests.
        .executableTarget(
            name: "lbbench",
            dependencies: [
                "LBCore", "SNMP", "DNS", "LBDaemonKit", "LBClientKit", "ProcessSpawning", "UDPReplySource",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "LBCoreTests", dependencies: ["LBCore", "LBTestSupport"]),
        .testTarget(
            name: "LBLoggingTests",
            dependencies: ["LBLogging", "LBTestSupport", .product(name: "Logging", package: "swift-log")]),
        // Starting and finding the real peer programs (snmpd, BIND...) of interop tests.
        .target(
            name: "LBTestSupport", dependencies: ["LBCore", "ProcessSpawning"], path: "Tests/LBTestSupport"),
        .testTarget(name: "ProcessSpawningTests", dependencies: ["ProcessSpawning"]),
        .testTarget(name: "SNMPTests", dependencies: ["SNMP", "LBCore", "LBTestSupport"]),
        .testTarget(
            name: "DNSTests",
            dependencies: [
                "DNS", "LBCore", "LBTestSupport", "UDPReplySource",
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]),
        .testTarget(
            name: "LBClientKitTests",
            dependencies: [
                "LBClientKit", "LBCore", "SNMP", "LBTestSupport", "ProcessSpawning", "OSThreads",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(
            name: "LBDaemonKitTests",
            dependencies: [
                "LBDaemonKit", "LBCore", "SNMP", "DNS", "LBTestSupport",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            resources: [.copy("Fixtures")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
