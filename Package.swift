// swift-tools-version:6.1
import PackageDescription

// The same strict settings on every target (STYLE.md §2).
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "hindsight",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "hindsight", targets: ["hindsight"]),
        .library(name: "AMQP", targets: ["AMQP"]),
        .library(name: "HindsightCore", targets: ["HindsightCore"]),
        .library(name: "HindsightAgent", targets: ["HindsightAgent"]),
        .executable(name: "hindsight-bench", targets: ["HindsightBenchmarks"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        // Reads the seed system's SQLite history (`hindsight import`); bundles SQLite, so no system library.
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CRabbitMQ",
            pkgConfig: "librabbitmq",
            providers: [.apt(["librabbitmq-dev"])]
        ),
        .target(
            name: "AMQP",
            dependencies: [
                "CRabbitMQ",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "HindsightCore",
            resources: [.copy("Resources/event-v1.schema.json"), .copy("Resources/rpc")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "HindsightStore",
            dependencies: [
                "HindsightCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("Migrations")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "HindsightWorkers",
            dependencies: [
                "AMQP", "HindsightCore", "HindsightStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: strictSettings
        ),
        // Shared by the tests and the benchmarks (never shipped): service harness, fill/count helpers,
        // child processes, the simulated fleet.
        .target(
            name: "HindsightTesting",
            dependencies: [
                "AMQP", "HindsightCore", "HindsightStore", "HindsightWorkers", "HindsightAgent",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "HindsightAgent",
            dependencies: [
                "AMQP", "HindsightCore",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // `hindsight import`: the seed system's JSONL traces and SQLite database as wire events (parsing and
        // conversion pure; only this target links SQLite).
        .target(
            name: "HindsightImport",
            dependencies: [
                "AMQP", "HindsightCore", "HindsightAgent",
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "hindsight",
            dependencies: [
                "AMQP", "HindsightCore", "HindsightStore", "HindsightWorkers", "HindsightAgent", "HindsightImport",
                "HindsightTesting",  // the simulated fleet of `simulate` and `demo`
                "HindsightSimulation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // The learning fleet: a world with a hidden ground truth, three groups of simulated agents, the
        // learning report (`hindsight simulate`, the demo, `hindsight-bench learning`).
        .target(
            name: "HindsightSimulation",
            dependencies: [
                "AMQP", "HindsightCore", "HindsightAgent", "HindsightStore", "HindsightWorkers",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        // `hindsight-bench`: the system benchmarks with their baselines (not in the container image).
        .executableTarget(
            name: "HindsightBenchmarks",
            dependencies: [
                "AMQP", "HindsightCore", "HindsightStore", "HindsightWorkers", "HindsightAgent", "HindsightTesting",
                "HindsightSimulation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            swiftSettings: strictSettings
        ),
        // Micro-benchmarks of the learning core (package-benchmark: `swift package benchmark`).
        .executableTarget(
            name: "CoreBenchmarks",
            dependencies: [
                "HindsightCore", "HindsightTesting",
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/CoreBenchmarks",
            swiftSettings: strictSettings,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .testTarget(
            name: "HindsightCoreTests",
            dependencies: ["HindsightCore"],
            resources: [.copy("Examples")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HindsightSimulationTests",
            dependencies: ["HindsightSimulation", "HindsightCore"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "AMQPTests",
            dependencies: ["AMQP", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HindsightWorkersTests",
            dependencies: ["HindsightWorkers", "HindsightCore", "HindsightStore", "AMQP"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HindsightAgentTests",
            dependencies: [
                "HindsightAgent", "HindsightCore", "AMQP", "HindsightTesting",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HindsightImportTests",
            dependencies: ["HindsightImport", "HindsightCore"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "AMQP", "HindsightCore", "HindsightStore", "HindsightWorkers", "HindsightAgent", "HindsightTesting",
                "HindsightImport", .product(name: "SQLiteNIO", package: "sqlite-nio"),
                "HindsightSimulation",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
