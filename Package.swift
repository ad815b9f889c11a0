// swift-tools-version:6.0
// Hearth: run and audit open-weight language models on your own hardware, in Swift.
import PackageDescription

let package = Package(
    name: "Hearth",
    products: [
        .library(name: "GGUF", targets: ["GGUF"]),
        .library(name: "Kernels", targets: ["Kernels"]),
        .library(name: "Tokenizers", targets: ["Tokenizers"]),
        .library(name: "Models", targets: ["Models"]),
        .library(name: "Engine", targets: ["Engine"]),
        .library(name: "Store", targets: ["Store"]),
        .library(name: "JSON", targets: ["JSON"]),
        .library(name: "ChatTemplates", targets: ["ChatTemplates"]),
        .library(name: "StructuredOutput", targets: ["StructuredOutput"]),
        .library(name: "Server", targets: ["Server"]),
        .library(name: "Audit", targets: ["Audit"]),
        .library(name: "AuditTargets", targets: ["AuditTargets"]),
        .library(name: "AuditLog", targets: ["AuditLog"]),
        .library(name: "AuditSuites", targets: ["AuditSuites"]),
        .library(name: "AuditReport", targets: ["AuditReport"]),
        .library(name: "FuzzTargets", targets: ["FuzzTargets"]),
        .executable(name: "hearth", targets: ["hearth"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.65.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.20.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.0.0"..<"5.0.0"),
    ],
    targets: [
        // The file format: memory-mapped reader, validation, writer.
        .target(name: "GGUF"),
        // Innermost integer dot products, chosen at run time by CPU features (see KERNELS.md in shared/).
        // No unsafe flags: each function carries its own target attribute.
        .target(name: "CKernels"),
        // Quant block layouts, dequantization, activation quantization, mat-vec, norms, RoPE, thread pool.
        .target(
            name: "Kernels",
            dependencies: ["GGUF", "CKernels"],
            linkerSettings: [.linkedLibrary("m")]
        ),
        .target(name: "Tokenizers", dependencies: ["GGUF"]),
        .target(name: "Models", dependencies: ["GGUF", "Kernels", "Tokenizers"]),
        .target(name: "Engine", dependencies: ["Models", "Tokenizers", "Kernels", "ChatTemplates", "JSON", "StructuredOutput"]),
        // The model store: catalog, Hub pulls, content-addressed blobs, provenance, the ML bill of materials.
        .target(name: "Store", dependencies: [
            "GGUF", "JSON",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ], resources: [.copy("catalog.json")]),
        // Order-preserving JSON values, a strict bounded parser, and Python-compatible printing.
        .target(name: "JSON"),
        // Chat templates: a Jinja subset rendering as jinja2 does, with bounded work.
        .target(name: "ChatTemplates", dependencies: ["JSON"]),
        // JSON Schema compiled to a byte-level automaton; token masks for constrained decoding.
        .target(name: "StructuredOutput", dependencies: ["JSON", "Tokenizers"]),
        // The OpenAI-compatible HTTP server.
        .target(
            name: "Server",
            dependencies: [
                "Engine", "Models", "Tokenizers", "JSON", "StructuredOutput",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The audit's vocabulary (task, sample, solver, scorer, metric), its runner and statistics.
        .target(name: "Audit", dependencies: ["JSON", "Store"]),
        // Where samples go: the engine in process, or any OpenAI-compatible endpoint.
        .target(
            name: "AuditTargets",
            dependencies: [
                "Audit", "Engine", "Models", "JSON", "StructuredOutput",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // The run database (SQLite through GRDB): runs, samples, scores, requests, the response cache.
        .target(name: "AuditLog", dependencies: ["Audit", "JSON", .product(name: "GRDB", package: "GRDB.swift")]),
        // The probe suites that ship with Hearth (versioned data) and the labelled calibration sets.
        .target(name: "AuditSuites", dependencies: ["Audit", "JSON"], resources: [.copy("Suites"), .copy("Calibration")]),
        // The audit report: one self-contained HTML page (styles, script, SVG charts and data inline).
        .target(name: "AuditReport", dependencies: ["Audit", "AuditLog", "JSON"]),
        // The fuzz targets: each parser and decoder that reads outside input, driven by arbitrary bytes.
        // libFuzzer runs them from the separate `Fuzz` package (scripts/fuzz.sh); the tests replay
        // their corpora.
        .target(name: "FuzzTargets", dependencies: [
            "GGUF", "Models", "Tokenizers", "JSON", "ChatTemplates", "StructuredOutput", "Server",
        ]),
        .executableTarget(
            name: "hearth",
            dependencies: [
                "GGUF", "Kernels", "Models", "Engine", "Store", "Tokenizers", "JSON", "ChatTemplates", "StructuredOutput", "Server",
                "Audit", "AuditTargets", "AuditLog", "AuditSuites", "AuditReport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Shared by the test targets: where the real model files are.
        .target(name: "TestSupport", dependencies: ["Models"], path: "Tests/TestSupport"),
        .testTarget(name: "GGUFTests", dependencies: ["TestSupport", "GGUF"], resources: [.copy("Fixtures")]),
        .testTarget(name: "KernelsTests", dependencies: ["TestSupport", "Kernels", "GGUF"], resources: [.copy("Fixtures")]),
        .testTarget(name: "TokenizersTests", dependencies: ["TestSupport", "Tokenizers", "GGUF"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ModelsTests", dependencies: ["TestSupport", "Models", "Engine", "GGUF", "Kernels"], resources: [.copy("Fixtures")]),
        .testTarget(name: "StoreTests", dependencies: [
            "TestSupport", "Store", "GGUF", "JSON",
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "StructuredOutputTests", dependencies: ["StructuredOutput", "JSON", "Tokenizers", "Models", "Engine", "TestSupport", "GGUF"]),
        .testTarget(name: "ServerTests", dependencies: ["TestSupport", "Server", "Engine", "Models", "JSON",
                                                     .product(name: "HummingbirdTesting", package: "hummingbird")]),
        .testTarget(name: "ChatTemplatesTests", dependencies: ["ChatTemplates", "JSON"], resources: [.copy("Fixtures")]),
        .testTarget(name: "EngineTests", dependencies: ["TestSupport", "Engine", "Models", "Tokenizers", "JSON", "StructuredOutput"]),
        .testTarget(name: "AuditTests", dependencies: ["TestSupport", "Audit", "AuditLog", "AuditTargets", "AuditSuites", "JSON", "Models", "Engine"]),
        .testTarget(name: "AuditTargetsTests", dependencies: [
            "AuditTargets", "Audit", "AuditLog", "JSON",
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        .testTarget(name: "AuditReportTests", dependencies: ["AuditReport", "Audit", "AuditLog", "JSON"]),
        .testTarget(name: "FuzzTargetsTests", dependencies: ["TestSupport", "FuzzTargets", "Tokenizers", "Models", "GGUF"]),
        // Runs the built executable as a user would.
        .testTarget(name: "HearthTests", dependencies: ["TestSupport", "hearth", "GGUF"]),
    ],
    swiftLanguageModes: [.v5]
)
