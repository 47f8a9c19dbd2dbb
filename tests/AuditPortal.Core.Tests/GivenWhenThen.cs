namespace AuditPortal.Core.Tests;

/// <summary>Given = a history folded into state; When = a pure decision; Then = its events or the rule it broke.</summary>
public static class GivenWhenThen
{
    public static readonly DateTimeOffset Now = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);

    /// <summary>The per-operation limit the wallet and job decisions are given (the portal's setting, Wallets:MaxCreditsPerOperation).</summary>
    public static readonly WalletLimits Limits = new(MaxCreditsPerOperation: 1000);

    public static Wallet? GivenWallet(params object[] history) => WalletHistory.Replay(history);
    public static Job? GivenJob(params object[] history) => JobHistory.Replay(history);
    public static AccessControlList? GivenAcl(params object[] history) => AccessControlListHistory.Replay(history);

    /// <summary>Asserts the decision refused the command with this error code, and returns the error for further checks.</summary>
    public static DomainError ThenRejected(Func<object> when, string code)
    {
        var e = Assert.Throws<DomainException>(() => when());
        Assert.Equal(code, e.Error.Code);
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
        return e.Error;
    }

    /// <summary>A rule break of a table of them (a <see cref="Cases{T}"/> theory): refused with the rule's code.</summary>
    public static DomainError ThenRejected((Func<object> When, string Code) ruleBreak) => ThenRejected(ruleBreak.When, ruleBreak.Code);

    /// <summary>The names of a table of cases as theory data, so each case shows (and fails) under its own name.</summary>
    public static TheoryData<string> Cases<T>(IReadOnlyDictionary<string, T> table)
    {
        var cases = new TheoryData<string>();
        foreach (var name in table.Keys) cases.Add(name);
        return cases;
    }

    public static ValidationError ThenInvalid(Func<object> when, string field)
    {
        var error = Assert.IsType<ValidationError>(ThenRejected(when, ErrorCodes.Validation));
        Assert.Equal(field, error.Field);
        return error;
    }
}
