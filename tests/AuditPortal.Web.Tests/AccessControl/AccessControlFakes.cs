namespace AuditPortal.Web.Tests.AccessControl;

public sealed class FakeAccessControlReads : IAccessControlReads
{
    public const string Hostile = "<script>alert(1)</script>";
    public static readonly Guid PortalId = Resources.PortalAclId;
    public static readonly Guid WalletAclId = Guid.Parse("0190cccc-0000-7000-8000-000000000003");

    public List<AccessControlListView> Lists { get; } =
    [
        new()
        {
            Id = PortalId, Resource = "portal", Version = 4, LastChangedAt = new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero),
            Entries =
            [
                new() { Principal = "admin", Permission = Permission.EditAccessControl, GrantedBy = "system:bootstrap", Reason = "Bootstrap admin" },
                new() { Principal = "alice", Permission = Permission.GrantCredits, GrantedBy = "admin", Reason = Hostile },
                new() { Principal = Hostile, Permission = Permission.ReadAudit, GrantedBy = "admin", Reason = "odd name" },
            ],
        },
        new() { Id = WalletAclId, Resource = "wallet:0190", Version = 1, LastChangedAt = new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero) },
    ];

    public int Loads { get; private set; }

    /// <summary>People who signed in (single sign-on users with a display name), as SignInLog finds them.</summary>
    public List<KnownUser> People { get; } =
    [
        new("ada@idp.example", "Ada Lovelace", "oidc", new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero)),
        new("alice", null, "password", new DateTimeOffset(2026, 11, 26, 8, 0, 0, TimeSpan.Zero)),
    ];

    public Task<IReadOnlyList<KnownUser>> FindPeopleAsync(string? search, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<KnownUser>>(People.Where(p => p.UserName.Contains(search ?? "", StringComparison.OrdinalIgnoreCase)
            || (p.DisplayName ?? "").Contains(search ?? "", StringComparison.OrdinalIgnoreCase)).ToList());

    /// <summary>The access review's rows; the filter is applied as the real reads apply it.</summary>
    public List<AccessReviewRow> Review { get; } = [];

    public List<AccessReviewFilter> ReviewFilters { get; } = [];

    /// <summary>Set: the review read refuses, as it does when the caller's permission was revoked.</summary>
    public bool DenyReview { get; set; }

    public Task<IReadOnlyList<AccessReviewRow>> ReviewAsync(AccessReviewFilter filter, CancellationToken ct = default)
    {
        ReviewFilters.Add(filter);
        if (DenyReview) throw new AccessDeniedException(Permission.EditAccessControl);
        return Task.FromResult<IReadOnlyList<AccessReviewRow>>(Review.Where(r => filter.Matches(r, DateTimeOffset.UtcNow)).ToList());
    }

    public Task<IReadOnlyList<AccessControlListView>> ListAsync(CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<AccessControlListView>>(Lists.OrderBy(l => l.Resource).ToList());

    public Task<AccessControlListView?> GetAsync(Guid id, CancellationToken ct = default)
    {
        Loads++;
        return Task.FromResult(Lists.FirstOrDefault(l => l.Id == id));
    }
}

public sealed record AccessControlCall(string Kind, Actor Actor, Guid CommandId, Guid AclId, string Principal, Permission Permission, string Reason, long? ExpectedVersion, DateTimeOffset? Until = null);

public sealed class FakeAccessControlCommands : IAccessControlCommands
{
    public List<AccessControlCall> Calls { get; } = [];
    public Func<AccessControlCall, CommandResult>? Answer { get; set; }

    public Task<CommandResult> GrantAsync(Actor actor, Guid commandId, Guid aclId, string principal, Permission permission, string reason, long? expectedVersion, CancellationToken ct = default) =>
        GrantAsync(actor, commandId, aclId, principal, permission, reason, expectedVersion, null, ct);

    public Task<CommandResult> GrantAsync(Actor actor, Guid commandId, Guid aclId, string principal, Permission permission, string reason, long? expectedVersion, DateTimeOffset? until, CancellationToken ct = default) =>
        Record(new AccessControlCall("grant", actor, commandId, aclId, principal, permission, reason, expectedVersion, until), $"Granted {permission} to {principal}.");

    public Task<CommandResult> RevokeAsync(Actor actor, Guid commandId, Guid aclId, string principal, Permission permission, string reason, long? expectedVersion, CancellationToken ct = default) =>
        Record(new AccessControlCall("revoke", actor, commandId, aclId, principal, permission, reason, expectedVersion), $"Revoked {permission} from {principal}.");

    private Task<CommandResult> Record(AccessControlCall call, string message)
    {
        Calls.Add(call);
        return Task.FromResult(Answer?.Invoke(call) ?? CommandResult.Accepted(call.AclId, (call.ExpectedVersion ?? 0) + 1, message));
    }
}
