import HindsightSimulation
import Testing

@Suite struct WorldTests {
    @Test func standardWorldHasThreeDomains() {
        #expect(World.standard(seed: 1).domains.count >= 3)
    }
}
