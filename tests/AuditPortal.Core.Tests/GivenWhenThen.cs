using AuditPortal.Core.AccessControl;
using AuditPortal.Core.Common;
using AuditPortal.Core.Jobs;
using AuditPortal.Core.Wallets;

namespace AuditPortal.Core.Tests;

/// <summary>Given = a history folded into state; When = a pure decision; Then = its events or the rule it broke.</summary>
public static class GivenWhenThen
{
    public static readonly DateTimeOffset Now = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);

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

    public static ValidationError ThenInvalid(Func<object> when, string field)
    {
        var error = Assert.IsType<ValidationError>(ThenRejected(when, ErrorCodes.Validation));
        Assert.Equal(field, error.Field);
        return error;
    }
}
