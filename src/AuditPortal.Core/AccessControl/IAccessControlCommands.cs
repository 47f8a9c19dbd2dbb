namespace AuditPortal.Core.AccessControl;

/// <summary>The two ACL commands the pages issue, implemented by <see cref="AccessControlService"/>; a seam so component tests need no database.</summary>
public interface IAccessControlCommands
{
    Task<CommandResult> GrantAsync(Actor actor, Guid commandId, Guid aclId, string principal, Permission permission, string reason, long? expectedVersion, CancellationToken ct = default);

    /// <summary>A grant ending at <paramref name="until"/> (UTC; null: no end).</summary>
    Task<CommandResult> GrantAsync(Actor actor, Guid commandId, Guid aclId, string principal, Permission permission, string reason, long? expectedVersion,
        DateTimeOffset? until, CancellationToken ct = default);
    Task<CommandResult> RevokeAsync(Actor actor, Guid commandId, Guid aclId, string principal, Permission permission, string reason, long? expectedVersion, CancellationToken ct = default);
}
