namespace AuditPortal.Core.DemoData;

/// <summary>
/// Events as the portal stored them before their current version: the demo and benchmark histories write the grants
/// made before an upgrade day as v1 (stored name <c>credits_granted</c>, the class then called CreditsGranted, no source),
/// so every reader is exercised on a history that mixes both versions, as a real store would after the upgrade.
/// </summary>
public static class OlderVersions
{
    /// <summary>The .NET type name v1 grants were stored with: the class was CreditsGranted then.</summary>
    public const string CreditsGrantedV1DotNetType = "AuditPortal.Core.Wallets.CreditsGranted, AuditPortal.Core";

    /// <summary>The body an older portal would have written for <paramref name="data"/> at <paramref name="at"/>.</summary>
    public static object AsOf(object data, DateTimeOffset at, DateTimeOffset upgradedAt) =>
        data is CreditsGranted g && at < upgradedAt ? CreditsGrantedV1.Of(g) : data;

    /// <summary>
    /// The names an older portal stored <paramref name="e"/> under; call after the registry built it and before it is
    /// bound, so the binding covers the names as stored.
    /// </summary>
    public static void Name(IEvent e)
    {
        if (e.Data is not CreditsGrantedV1) return;
        e.EventTypeName = AuditTypeNames.CreditsGranted;
        e.DotNetTypeName = CreditsGrantedV1DotNetType;
    }
}
