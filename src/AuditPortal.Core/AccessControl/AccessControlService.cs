using AuditPortal.Core.Common;
using Marten;

namespace AuditPortal.Core.AccessControl;

/// <summary>Admins' commands on access-control lists.</summary>
public sealed class AccessControlService(CommandExecutor executor, TimeProvider time) : IAclCommands
{
    public Task<CommandResult> CreateAsync(Actor actor, Guid commandId, Guid aclId, string resource, string reason, CancellationToken ct = default) =>
        executor.ExecuteAsync(actor, Permission.EditAccessControl, commandId, nameof(CreateAccessControlList), async session =>
        {
            var existing = await session.Events.AggregateStreamAsync<AccessControlList>(aclId, token: ct);
            var created = AccessControlListDecisions.Handle(existing, new CreateAccessControlList(aclId, resource, reason, commandId, actor.UserName, time.GetUtcNow()));
            session.Events.StartStream<AccessControlList>(aclId, created);
            return CommandResult.Accepted(aclId, 1, $"Access-control list for {created.Resource} created.");
        }, ct: ct);

    public Task<CommandResult> GrantAsync(Actor actor, Guid commandId, Guid aclId, string principal, Permission permission, string reason, long? expectedVersion, CancellationToken ct = default) =>
        executor.ExecuteAsync(actor, Permission.EditAccessControl, commandId, nameof(GrantPermission), async session =>
        {
            var stream = await FetchAsync(session, aclId, expectedVersion, ct);
            var granted = AccessControlListDecisions.Handle(stream.Aggregate, new GrantPermission(aclId, principal, permission, reason, commandId, actor.UserName, time.GetUtcNow(), expectedVersion));
            stream.AppendOne(granted);
            return CommandResult.Accepted(aclId, stream.CurrentVersion!.Value, $"Granted {granted.Permission} to {granted.Principal}.");
        }, () => ConflictAsync(aclId, ct), ct);

    public Task<CommandResult> RevokeAsync(Actor actor, Guid commandId, Guid aclId, string principal, Permission permission, string reason, long? expectedVersion, CancellationToken ct = default) =>
        executor.ExecuteAsync(actor, Permission.EditAccessControl, commandId, nameof(RevokePermission), async session =>
        {
            var stream = await FetchAsync(session, aclId, expectedVersion, ct);
            var revoked = AccessControlListDecisions.Handle(stream.Aggregate, new RevokePermission(aclId, principal, permission, reason, commandId, actor.UserName, time.GetUtcNow(), expectedVersion));
            stream.AppendOne(revoked);
            return CommandResult.Accepted(aclId, stream.CurrentVersion!.Value, $"Revoked {revoked.Permission} from {revoked.Principal}.");
        }, () => ConflictAsync(aclId, ct), ct);

    private async Task<CommandResult> ConflictAsync(Guid aclId, CancellationToken ct)
    {
        await using var query = executor.Store.QuerySession();
        // An expected version on a list that was never created is not a conflict: the list does not exist.
        return await query.Events.FetchStreamStateAsync(aclId, ct) is null
            ? CommandResult.Rejected(new NotFound("Access-control list", aclId.ToString()))
            : CommandResult.Conflict("This access-control list changed since you opened it; reload to see the change, then try again.");
    }

    private static Task<JasperFx.Events.IEventStream<AccessControlList>> FetchAsync(IDocumentSession session, Guid aclId, long? expectedVersion, CancellationToken ct) =>
        // Marten throws on an empty stream id: no list has it, so say so.
        aclId == Guid.Empty ? throw new DomainException(new NotFound("Access-control list", aclId.ToString()))
        : expectedVersion is { } v ? session.Events.FetchForWriting<AccessControlList>(aclId, v, ct) : session.Events.FetchForExclusiveWriting<AccessControlList>(aclId, ct);
}
