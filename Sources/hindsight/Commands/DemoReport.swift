import AMQP
import Foundation
import HindsightAgent
import HindsightCore
import HindsightSimulation
import HindsightStore
import Logging

/// What the demo prints at the end: the stored insights per domain, one plan the adapter adapted, the
/// learning curve, and the HTML report's path.
///
/// One source of truth per number: durations, percentiles and shares come from the stored insights (what
/// the adapter answers from, read through `InsightStore.domainKnowledge`); a phase's estimate is the one
/// in the domain's starting plan, which is also the plan sent to the adapter — so a phase is called slow
/// against the same estimate the adapted plan replaces, with the core's own rule
/// (`PerformanceAnalyzer.isSlow`).
struct DemoReport {
    let world: World
    let client: DemoCluster.Clients
    let amqp: AMQPConfiguration
    let logger: Logger

    func printAll(report: LearningReport, reportDirectory: URL) async throws {
        let knowledge = try await domainKnowledge()
        printInsights(knowledge)
        try await printAdaptedPlan()
        DemoLearningCurve.print(report)
        let html = DemoReportFiles.write(report, to: reportDirectory)
        print("\n== The learning report ==")
        print(html)
    }

    // MARK: Insights

    private struct DomainView {
        let truth: DomainTruth
        let record: InsightStore.Record?
        let knowledge: DomainKnowledge?
    }

    private func domainKnowledge() async throws -> [DomainView] {
        let records = try await InsightStore.read(domains: world.domains, client: client.analyst, logger: logger)
        var views: [DomainView] = []
        for truth in world.domainTruths {
            let knowledge = try await InsightStore.domainKnowledge(domain: truth.name, client: client.analyst, logger: logger)
            views.append(DomainView(truth: truth, record: records.first { $0.domain == truth.name }, knowledge: knowledge))
        }
        return views
    }

    private func printInsights(_ views: [DomainView]) {
        print("\n== What the cluster learned (the analyzer's insights, per domain) ==")
        for view in views {
            print("\n\(view.truth.name)")
            guard let record = view.record, let knowledge = view.knowledge else {
                print("  no insights: nothing was analysed in this domain")
                continue
            }
            let s = record.summary
            print("  \(record.sampleSize) executions analysed (confidence \(f(record.confidence, 2))): \(percent(s.successRate)) succeeded "
                + "(\(s.completed) completed, \(s.failed) failed, \(s.abandoned) abandoned)")
            if let p50 = s.durationP50, let p95 = s.durationP95 {
                print("  an execution takes \(f(p50)) s at the median, \(f(p95)) s at p95 (95 in 100 take less)")
            }
            printSlowPhases(view.truth, insights: knowledge.insights)
            if record.errors.isEmpty {
                print("  error patterns: none")
            } else {
                print("  most frequent errors (messages with numbers and names replaced by <…>):")
                for error in record.errors.prefix(3) {
                    print("    - \"\(error.pattern)\": \(error.occurrences) times in \(error.executions) executions, in \(error.phases.joined(separator: ", "))")
                }
            }
            if let order = record.phaseOrder {
                print("  best phase order: \(order.phases.joined(separator: " → "))")
                print("    chosen as the \(order.basis)")
                var evidence = "    \(order.supportingRuns) completed executions ran in this order"
                if let mean = order.supportingMeanSeconds, let all = order.domainMeanSeconds {
                    evidence += ", \(f(mean)) s on average against \(f(all)) s for all executions"
                    // Said plainly rather than left for the reader to spot: the pick is not faster yet.
                    if mean >= all { evidence += " (no faster order stands out yet: this is simply the most common one)" }
                }
                print(evidence)
            }
        }
    }

    /// Slow phases by the core's rule, against the starting plan's estimate (the one the adapted plan
    /// below replaces), with the stored statistics.
    private func printSlowPhases(_ truth: DomainTruth, insights: PerformanceInsights) {
        let rule = PerformanceAnalyzer()
        let slow = truth.phases.compactMap { phase -> (PhaseTruth, PhaseStatistics)? in
            guard let stats = insights.statistics(forPhase: phase.name),
                  rule.isSlow(mean: stats.meanDuration, estimate: phase.planEstimateSeconds, share: stats.shareOfTotal)
            else { return nil }
            return (phase, stats)
        }.sorted { $0.1.meanDuration - $0.0.planEstimateSeconds > $1.1.meanDuration - $1.0.planEstimateSeconds }
        if slow.isEmpty {
            print("  slow phases: none (every phase averages within its estimate in the starting plan)")
            return
        }
        print("  slow phases (they average more than the starting plan estimates):")
        for (phase, stats) in slow {
            print("    - \(phase.name): \(f(stats.meanDuration)) s on average against an estimate of \(f(phase.planEstimateSeconds)) s; "
                + "p90 \(f(stats.p90)) s over \(stats.sampleCount) runs; \(percent(stats.shareOfTotal, 0)) of an execution's time")
        }
    }

    // MARK: Adapted plan

    /// Asks the adapter to adapt every domain's starting plan and prints the reply with the most changes.
    private func printAdaptedPlan() async throws {
        print("\n== One plan, adapted by the adapter (plan.optimize over AMQP) ==")
        let connection = try await AMQPConnection.connect(amqp, logger: logger)
        let adapter = AdapterClient(connection: connection, timeouts: .init(optimize: .seconds(5)))
        var best: (DomainTruth, PlanOptimizeRequest, PlanOptimizeResult)?
        do {
            for truth in world.domainTruths {
                let request = PlanOptimizeRequest(
                    domain: truth.name, goal: String(format: truth.goals.first ?? truth.name, 1), plan: Self.startingPlan(truth))
                let reply = try await adapter.optimize(request)
                if reply.result.changes.count > best?.2.changes.count ?? -1 { best = (truth, request, reply.result) }
            }
        } catch {
            await connection.closeAndWait()
            throw error
        }
        await connection.closeAndWait()
        guard let (truth, request, result) = best else { return }
        print("domain \(truth.name), goal \"\(request.goal)\"; the adapter's confidence \(f(result.confidence, 2))")
        if let reason = result.reason { print("  the plan is unchanged: \(reason)") }
        Self.table(
            ["#", "phase", "starting plan", "adapted plan", "added"],
            result.phases.enumerated().map { index, phase in
                let before = request.plan.first { $0.name == phase.name }
                let added = Set(phase.requiredCapabilities ?? []).subtracting(before?.requiredCapabilities ?? [])
                return ["\(index + 1)", phase.name, before?.estimatedSeconds.map { "\(f($0)) s" } ?? "-",
                        phase.estimatedSeconds.map { "\(f($0)) s" } ?? "-",
                        (added.sorted() + ((phase.successIndicators ?? []).isEmpty ? [] : ["checkpoint"])).joined(separator: ", ")]
            })
        if !result.changes.isEmpty {
            print("  why, change by change (reason and the stored evidence):")
            let width = String(result.changes.count).count
            let pad = String(repeating: " ", count: width + 4)
            for (index, change) in result.changes.enumerated() {
                let phase = change.phase.map { change.summary.contains($0) ? "" : "\($0): " } ?? ""
                let number = String(index + 1)
                print("  \(String(repeating: " ", count: width - number.count))\(number). \(phase)\(change.summary)")
                print("\(pad) because \(Self.sentenceTail(change.reason))")
                let value = change.evidence.value.map { " = \(f($0, 2))" } ?? ""
                print("\(pad) evidence: \(change.evidence.source)\(value), \(change.evidence.sampleSize) runs, confidence \(f(change.confidence, 2))")
            }
        }
    }

    /// `reason` to follow "because": its first letter lower-cased unless it starts an acronym ("Common
    /// error patterns…" → "common error patterns…", "HTTP …" kept).
    static func sentenceTail(_ reason: String) -> String {
        let characters = Array(reason)
        guard characters.count > 1, characters[0].isUppercase, !characters[1].isUppercase else { return reason }
        return characters[0].lowercased() + String(characters.dropFirst())
    }

    /// The plan every agent of a domain starts from: the world's phases with their planned estimates.
    static func startingPlan(_ truth: DomainTruth) -> [RPCPlanPhase] {
        truth.phases.map {
            RPCPlanPhase(
                name: $0.name, estimatedSeconds: $0.planEstimateSeconds, dependencies: $0.dependencies,
                requiredCapabilities: [$0.capability])
        }
    }
}

extension DemoReport {
    /// Numbers as the adapter's reasons write them (`printf` rounding, one decimal by default).
    static func f(_ value: Double, _ places: Int = 1) -> String { String(format: "%.\(places)f", value) }
    static func percent(_ value: Double, _ places: Int = 1) -> String { String(format: "%.\(places)f %%", value * 100) }
    private func f(_ value: Double, _ places: Int = 1) -> String { Self.f(value, places) }

    /// A table indented under its section (the columns padded to their widest cell).
    static func table(_ header: [String], _ rows: [[String]], indent: String = "  ") {
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            let text = cells.enumerated().map { i, cell in cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
            return indent + String(text.reversed().drop { $0 == " " }.reversed())
        }
        print(line(header))
        print(line(widths.map { String(repeating: "-", count: $0) }))
        for row in rows { print(line(row)) }
    }
    private func percent(_ value: Double, _ places: Int = 1) -> String { Self.percent(value, places) }
}
