import HindsightStore
import Testing

@Suite("Store failure classes")
struct FailureClassTests {
    @Test("the SQLSTATE table", arguments: [
        ("08006", StoreError.FailureClass.transient), ("08001", .transient), ("40001", .transient), ("40P01", .transient),
        ("53300", .transient), ("53100", .transient), ("55P03", .transient), ("57P01", .transient), ("57P03", .transient),
        ("57014", .transient), ("58030", .transient), ("25P02", .transient), ("XX000", .transient),
        ("22P05", .rejectedData), ("22003", .rejectedData), ("23505", .rejectedData), ("23514", .rejectedData),
        ("54000", .rejectedData),
        ("28P01", .permanent), ("28000", .permanent), ("3D000", .permanent), ("3F000", .permanent),
        ("42501", .permanent), ("42P01", .permanent), ("42883", .permanent), ("0A000", .permanent),
    ])
    func sqlStateTable(sqlState: String, expected: StoreError.FailureClass) {
        #expect(StoreError.failureClass(sqlState: sqlState) == expected)
    }

    @Test("a StoreError is classified by its SQLSTATE first, else by its code")
    func storeErrors() {
        let deadlock = StoreError.classifyFailure(StoreError(.server, "deadlock", sqlState: "40P01"))
        #expect(deadlock.failureClass == .transient)
        #expect(deadlock.sqlState == "40P01")
        #expect(StoreError.classifyFailure(StoreError(.server, "bad value", sqlState: "22P02")).failureClass == .rejectedData)
        #expect(StoreError.classifyFailure(StoreError(.unreachable, "down")).failureClass == .transient)
        #expect(StoreError.classifyFailure(StoreError(.timeout, "slow")).failureClass == .transient)
        #expect(StoreError.classifyFailure(StoreError(.authenticationFailed, "no")).failureClass == .permanent)
        #expect(StoreError.classifyFailure(StoreError(.permissionDenied, "no")).failureClass == .permanent)
        #expect(StoreError.classifyFailure(StoreError(.tls, "no")).failureClass == .permanent)
    }

    @Test("isTransient agrees with the classifier")
    func isTransientAgrees() {
        for state in ["40P01", "57P03", "53300", "08006", "22P02", "23505", "42501", "3D000"] {
            let error = StoreError(.server, "x", sqlState: state)
            #expect(error.isTransient == (StoreError.failureClass(sqlState: state) == .transient))
        }
        #expect(StoreError(.unreachable, "down").isTransient)
        #expect(!StoreError(.authenticationFailed, "no").isTransient)
    }

    @Test("an error that is not the store's (no server answer) is transient")
    func foreignErrors() {
        struct SomethingElse: Error {}
        #expect(StoreError.classifyFailure(SomethingElse()).failureClass == .transient)
        #expect(StoreError.classifyFailure(CancellationError()).failureClass == .transient)
    }
}
