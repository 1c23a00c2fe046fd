extension World {
    /// The world every measurement in docs/learning.md runs on. These parameters were fixed before the
    /// first measurement and are not tuned to the algorithm; docs/learning.md lists them.
    package static func standard(seed: UInt64) -> World {
        World(
            seed: seed,
            domainTruths: [dataProcessing, securityAnalysis, automation],
            orderDeviation: 0.25, maxAttemptsPerFailure: 4, escalationSeconds: 300)
    }

    private static func phase(
        _ name: String, _ capability: String, after dependencies: [String] = [], median: Double, sigma: Double,
        estimate: Double, optional: Bool = false, _ failures: [FailureKind: Double] = [:]
    ) -> PhaseTruth {
        PhaseTruth(
            name: name, capability: capability, dependencies: dependencies, medianSeconds: median, sigma: sigma,
            planEstimateSeconds: estimate, optional: optional, failureRates: failures)
    }

    static let dataProcessing = DomainTruth(
        name: "data-pipeline",
        goals: ["Clean and aggregate the sales data of store %d", "Deduplicate %d customer records",
                "Build the weekly revenue report for region %d"],
        phases: [
            phase("analysis", "llm", median: 20, sigma: 0.3, estimate: 20, [.timeout: 0.02]),
            phase("extraction", "sql", after: ["analysis"], median: 60, sigma: 0.4, estimate: 45,
                  [.rateLimit: 0.10, .network: 0.04]),
            phase("transformation", "python", after: ["extraction"], median: 150, sigma: 0.5, estimate: 90,
                  [.timeout: 0.08, .missingResource: 0.06]),
            phase("validation", "python", after: ["extraction"], median: 30, sigma: 0.3, estimate: 30,
                  [.missingResource: 0.03]),
            phase("loading", "sql", after: ["transformation", "validation"], median: 45, sigma: 0.4, estimate: 60,
                  [.network: 0.05, .permission: 0.015]),
            phase("reporting", "llm", after: ["loading"], median: 25, sigma: 0.3, estimate: 30, optional: true,
                  [.timeout: 0.03]),
        ],
        orderEffect: OrderEffect(first: "validation", second: "transformation", durationFactor: 0.75, failureFactor: 0.4))

    static let securityAnalysis = DomainTruth(
        name: "security-audit",
        goals: ["Analyze the logs of host %d for intrusion attempts", "Audit the IAM permissions of account %d",
                "Scan the %d dependencies of the web service for CVEs"],
        phases: [
            phase("analysis", "llm", median: 30, sigma: 0.3, estimate: 30, [.timeout: 0.02]),
            phase("collection", "http", after: ["analysis"], median: 90, sigma: 0.5, estimate: 60,
                  [.rateLimit: 0.12, .network: 0.05, .permission: 0.02]),
            phase("scanning", "scanner", after: ["collection"], median: 200, sigma: 0.5, estimate: 240,
                  [.timeout: 0.10]),
            phase("enrichment", "http", after: ["collection"], median: 40, sigma: 0.4, estimate: 40,
                  [.rateLimit: 0.08, .missingResource: 0.03]),
            phase("triage", "llm", after: ["scanning", "enrichment"], median: 60, sigma: 0.4, estimate: 45,
                  [.missingResource: 0.04]),
            phase("reporting", "llm", after: ["triage"], median: 30, sigma: 0.3, estimate: 30, optional: true,
                  [.timeout: 0.02]),
        ],
        orderEffect: OrderEffect(first: "enrichment", second: "scanning", durationFactor: 0.7, failureFactor: 0.5))

    static let automation = DomainTruth(
        name: "release-automation",
        goals: ["Automate the release checklist of service %d", "Provision staging environment %d",
                "Rotate the credentials of %d services"],
        phases: [
            phase("planning", "llm", median: 25, sigma: 0.3, estimate: 25),
            phase("implementation", "shell", after: ["planning"], median: 120, sigma: 0.5, estimate: 90,
                  [.missingResource: 0.05]),
            phase("testing", "shell", after: ["implementation"], median: 90, sigma: 0.6, estimate: 60,
                  [.timeout: 0.10, .network: 0.04]),
            phase("linting", "shell", after: ["implementation"], median: 20, sigma: 0.3, estimate: 20, optional: true,
                  [.missingResource: 0.08]),
            phase("deployment", "http", after: ["testing", "linting"], median: 60, sigma: 0.4, estimate: 60,
                  [.rateLimit: 0.08, .network: 0.05, .permission: 0.02]),
            phase("verification", "http", after: ["deployment"], median: 20, sigma: 0.3, estimate: 30, optional: true,
                  [.timeout: 0.03]),
        ],
        orderEffect: OrderEffect(first: "linting", second: "testing", durationFactor: 0.8, failureFactor: 0.5))
}
