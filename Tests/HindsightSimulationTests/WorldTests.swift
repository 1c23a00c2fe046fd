import Foundation
import HindsightCore
import HindsightSimulation
import Testing

@Suite struct WorldTests {
    @Test func theStandardWorldIsFixedBySeedAndSurvivesJSON() throws {
        let world = World.standard(seed: 7)
        #expect(world == World.standard(seed: 7))
        #expect(world.domains.count >= 3)
        let decoded = try JSONDecoder().decode(World.self, from: JSONEncoder().encode(world))
        #expect(decoded == world)
    }

    @Test func everyDomainHasAnOrderEffectBetweenIndependentPhasesAndWrongEstimates() {
        for domain in World.standard(seed: 1).domainTruths {
            let first = domain.phases.first { $0.name == domain.orderEffect.first }
            let second = domain.phases.first { $0.name == domain.orderEffect.second }
            #expect(first != nil && second != nil)
            // The starting plan runs them the unhelpful way round, and neither depends on the other.
            let plan = domain.phases.map(\.name)
            #expect((plan.firstIndex(of: domain.orderEffect.second) ?? 0) < (plan.firstIndex(of: domain.orderEffect.first) ?? 0))
            #expect(!(first?.dependencies.contains(domain.orderEffect.second) ?? true))
            #expect(!(second?.dependencies.contains(domain.orderEffect.first) ?? true))
            #expect(domain.phases.contains { abs($0.planEstimateSeconds - $0.meanSeconds) / $0.meanSeconds > 0.3 })
        }
    }

    @Test func failuresRespondToSomeStrategiesAndNotOthers() {
        #expect(FailureKind.rateLimit.successProbability(of: .retry, delaySeconds: 0) == 0)
        #expect(FailureKind.rateLimit.successProbability(of: .retry, delaySeconds: 60) > 0.95)
        #expect(FailureKind.missingResource.successProbability(of: .retry, delaySeconds: 300) == 0)
        #expect(FailureKind.missingResource.successProbability(of: .simplify, delaySeconds: 0) > 0.5)
        for action in RecoveryAction.allCases {
            #expect(FailureKind.permission.successProbability(of: action, delaySeconds: 60) == 0)
        }
        #expect(FailureKind.allCases.filter(\.isTransient) == [.rateLimit, .timeout, .network])
    }

    @Test func keyedDrawsRepeat() {
        let random = WorldRandom(seed: 42)
        #expect(random.unit("a", "1") == random.unit("a", "1"))
        #expect(random.unit("a", "1") != random.unit("a", "2"))
        #expect(WorldRandom(seed: 43).unit("a", "1") != random.unit("a", "1"))
    }
}
