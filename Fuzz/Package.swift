// swift-tools-version:6.0
// The libFuzzer driver for Hearth's fuzz targets (`Sources/FuzzTargets` of the main package).
// A package of its own because it is built differently: every Swift module instrumented for
// coverage and the address sanitizer, and linked with libFuzzer. Build and run it with
// `scripts/fuzz.sh`, which passes those flags; the main build never sees it.
import PackageDescription

let package = Package(
    name: "HearthFuzz",
    dependencies: [.package(name: "Hearth", path: "..")],
    targets: [
        // libFuzzer's entry points, declared for Swift.
        .target(name: "CLibFuzzer"),
        .executableTarget(name: "hearth-fuzz", dependencies: [
            "CLibFuzzer", .product(name: "FuzzTargets", package: "Hearth"),
        ]),
    ],
    swiftLanguageModes: [.v5]
)
