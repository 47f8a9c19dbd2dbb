namespace AuditPortal.Core.AccessControl;

/// <summary>
/// Admins' commands on access-control lists, each one pass through the decide step of <see cref="CommandExecutor"/>; a
/// grant or revocation of an admin permission on the portal's list is recorded as a request for a second person instead.
/// </summary>
public sealed class AccessControlService(CommandExecutor executor, TimeProvider time, ApprovalService? approvals = null) : IAccessControlCommands
{
    /// <summary>Who the history says recorded the end of a time-bound grant: the portal itself, nobody acting.</summary>
    public const string ExpiryActor = "system:access-expiry";

    public static readonly StreamKind<AccessControlList> Lists = new("Access-control list",
        _ => "This access-control list changed since you opened it; reload to see the change, then try again.");

    public Task<CommandResult> CreateAsync(Actor actor, Guid commandId, Guid aclId, string resource, string reason, CancellationToken ct = default) =>
        executor.StartAsync(actor, Permission.EditAccessControl, commandId, nameof(CreateAccessControlList), aclId,
            (AccessControlList? existing) => AccessControlListDecisions.Handle(existing, new CreateAccessControlList(aclId, resource, reason, commandId, actor.UserName, time.GetUtcNow())),
            created => $"Access-control list for {created.Resource} created.", ct);

    /// <summary>A grant; with <paramref name="until"/> (UTC, in the future) it ends at that instant with nobody acting.</summary>
    public Task<CommandResult> GrantAsync(Actor actor, Guid commandId, Guid aclId, string principal, Permission permission, string reason, long? expectedVersion,
        DateTimeOffset? until, CancellationToken ct = default) =>
        approvals?.NeedsApproval(actor, new(ApprovalAction.GrantPermission, aclId, null, principal, permission, until)) == true
            ? approvals.RequestAsync(actor, commandId, new(ApprovalAction.GrantPermission, aclId, null, principal, permission, until), reason, ct)
            : DecideOnListFromEventsAsync(actor, commandId, nameof(GrantPermission), aclId, expectedVersion,
            acl => AccessControlListDecisions.Handle(acl, new GrantPermission(aclId, principal, permission, reason, commandId, actor.UserName, time.GetUtcNow(), expectedVersion, until)),
            granted => $"Granted {granted.Permission} to {granted.Principal}{(granted.Until is { } end ? $" until {AccessControlListDecisions.Utc(end)}" : "")}.", ct);

    public Task<CommandResult> GrantAsync(Actor actor, Guid commandId, Guid aclId, string principal, Permission permission, string reason, long? expectedVersion, CancellationToken ct = default) =>
        GrantAsync(actor, commandId, aclId, principal, permission, reason, expectedVersion, until: null, ct);

    public Task<CommandResult> RevokeAsync(Actor actor, Guid commandId, Guid aclId, string principal, Permission permission, string reason, long? expectedVersion, CancellationToken ct = default) =>
        approvals?.NeedsApproval(actor, new(ApprovalAction.RevokePermission, aclId, null, principal, permission)) == true
            ? approvals.RequestAsync(actor, commandId, new(ApprovalAction.RevokePermission, aclId, null, principal, permission), reason, ct)
            : DecideOnListFromEventsAsync(actor, commandId, nameof(RevokePermission), aclId, expectedVersion,
            acl => AccessControlListDecisions.Handle(acl, new RevokePermission(aclId, principal, permission, reason, commandId, actor.UserName, time.GetUtcNow(), expectedVersion)),
            revoked => $"Revoked {revoked.Permission} from {revoked.Principal}.", ct);

    /// <summary>
    /// Records, as the portal itself, the end of every time-bound grant whose instant has passed (the permission check
    /// already stopped honouring it then: this is for the history). Every node may run it at once: each list is locked
    /// while it is decided, and the second node finds the expiry recorded already (the decision refuses it).
    /// </summary>
    public async Task<int> ExpireDueAsync(CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var due = new List<(Guid AclId, AccessControlEntry Entry)>();
        await using (var query = executor.Store.QuerySession())
        {
            // The read model only says which lists exist; what is due is read from the events.
            foreach (var aclId in await query.Query<AccessControlListView>().Select(x => x.Id).ToListAsync(ct))
            {
                var (acl, _) = await AccessControlFromEvents.LoadAsync(query, aclId, ct);
                if (acl is not null) due.AddRange(acl.DueAt(now).Select(e => (aclId, e)));
            }
        }
        var recorded = 0;
        var failures = new List<string>();
        foreach (var (aclId, entry) in due)
        {
            var result = await DecideOnListFromEventsAsync(new Actor(ExpiryActor, Guid.CreateVersion7().ToString()), null, Guid.CreateVersion7(), nameof(ExpirePermission), aclId, null,
                acl => AccessControlListDecisions.Handle(acl, new ExpirePermission(aclId, entry.Principal, entry.Permission, entry.Until!.Value, ExpiryActor, now)),
                expired => $"{expired.Principal}'s {expired.Permission} ended at {AccessControlListDecisions.Utc(expired.Until)}.", ct);
            if (result.Succeeded) recorded++;
            else if (result.ErrorCode is not ErrorCodes.NotGranted)
                failures.Add($"{entry.Principal}'s {entry.Permission} on {aclId}: {result.Message}");
        }
        // After the others: one entry that cannot be recorded does not hold back the rest.
        if (failures.Count > 0) throw new InvalidOperationException("Could not record the end of " + string.Join("; ", failures));
        return recorded;
    }

    /// <summary>
    /// The decide step of <see cref="CommandExecutor.DecideAsync{T,TEvent}"/>, but on the list as the permission check
    /// sees it (<see cref="AccessControlFromEvents"/>: its events, not the writable view), so that a forged grant in the view neither
    /// blocks a real one ("already granted") nor survives a revocation. The stream is locked first, so changes of one
    /// list serialize; the version the user saw is compared with the events' own version (max(version) in mt_events,
    /// not mt_streams, which the runtime role can write).
    /// </summary>
    private Task<CommandResult> DecideOnListFromEventsAsync<TEvent>(
        Actor actor, Guid commandId, string commandType, Guid aclId, long? expectedVersion,
        Func<AccessControlList?, TEvent> decide, Func<TEvent, string> accepted, CancellationToken ct) where TEvent : notnull =>
        DecideOnListFromEventsAsync(actor, Permission.EditAccessControl, commandId, commandType, aclId, expectedVersion, decide, accepted, ct);

    private Task<CommandResult> DecideOnListFromEventsAsync<TEvent>(
        Actor actor, Permission? required, Guid commandId, string commandType, Guid aclId, long? expectedVersion,
        Func<AccessControlList?, TEvent> decide, Func<TEvent, string> accepted, CancellationToken ct) where TEvent : notnull =>
        executor.ExecuteAsync(actor, required, commandId, commandType, async session =>
        {
            // No expected version here: the lock (and the empty-id answer) of the executor's fetch; the version is checked below.
            var stream = await CommandExecutor.FetchForWritingAsync(session, Lists, aclId, expectedVersion: null, ct);
            var (acl, version) = await AccessControlFromEvents.LoadAsync(session, aclId, ct);
            if (expectedVersion is { } seen && seen != version) return await executor.ConflictAsync(Lists, aclId, ct);
            var decided = decide(acl);
            stream.AppendOne(decided);
            return CommandResult.Accepted(aclId, stream.CurrentVersion ?? version + 1, accepted(decided));
        }, () => executor.ConflictAsync(Lists, aclId, ct), ct);
}
