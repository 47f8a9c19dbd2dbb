using AuditPortal.Core.Common;

namespace AuditPortal.Web.Infrastructure.Auth;

public sealed record DemoAccount(string UserName, string Persona, Permission[] Permissions);

/// <summary>Development-only accounts, one or two per persona, all with <see cref="Password"/>; listed on the sign-in page.</summary>
public static class DemoAccounts
{
    public const string Password = "demo";

    public static readonly IReadOnlyList<DemoAccount> All =
    [
        new("admin", "Admin", Personas.Admin),
        new("dave", "Admin", Personas.Admin),
        new("alice", "Support", Personas.Support),
        // Senior support: may approve another person's large grant (four eyes), never their own.
        new("sam", "Senior support", [.. Personas.Support, Permission.ApproveChanges]),
        new("carol", "Auditor", Personas.Auditor),
    ];
}

/// <summary>
/// In Development, makes sure each demo account holds its persona on the portal's list (demo data grants them
/// too, but sign-in must not depend on it). Registered after PortalStartup, which creates the list.
/// </summary>
public sealed class DemoAccountGrants(IDocumentStore store, AccessControlService acl, LocalAccounts accounts, ILogger<DemoAccountGrants> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        if (!accounts.DemoAccountsEnabled) return;
        await using var query = store.QuerySession();
        var portal = await query.LoadAsync<AccessControlListView>(Resources.PortalAclId, ct);
        var actor = Actor.System("demo-accounts");
        foreach (var account in DemoAccounts.All)
        foreach (var permission in account.Permissions.Where(p => portal?.Has(account.UserName, p) != true))
        {
            var result = await acl.GrantAsync(actor, Guid.CreateVersion7(), Resources.PortalAclId, account.UserName, permission, $"Demo {account.Persona} account", null, ct);
            if (!result.Succeeded && result.ErrorCode != ErrorCodes.AlreadyGranted)
                logger.LogWarning("Could not grant {Permission} to demo account {User}: {Message}", permission, account.UserName, result.Message);
        }
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
