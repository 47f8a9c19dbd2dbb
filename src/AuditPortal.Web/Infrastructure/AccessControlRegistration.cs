using AuditPortal.Core.AccessControl;
using AuditPortal.Core.Common;

namespace AuditPortal.Web.Infrastructure;

public static class AccessControlRegistration
{
    /// <summary>Services of the AccessControl pages.</summary>
    public static IServiceCollection AddAccessControlPages(this IServiceCollection services)
    {
        services.AddSingleton<IAclQueries, AccessControlQueries>();
        services.AddSingleton<IAclCommands, AclCommands>();
        return services;
    }
}

/// <summary>The two ACL commands the pages issue; a seam so component tests need no database.</summary>
public interface IAclCommands
{
    Task<CommandResult> GrantAsync(Actor actor, Guid commandId, Guid aclId, string principal, Permission permission, string reason, long? expectedVersion, CancellationToken ct = default);
    Task<CommandResult> RevokeAsync(Actor actor, Guid commandId, Guid aclId, string principal, Permission permission, string reason, long? expectedVersion, CancellationToken ct = default);
}

public sealed class AclCommands(AccessControlService service) : IAclCommands
{
    public Task<CommandResult> GrantAsync(Actor actor, Guid commandId, Guid aclId, string principal, Permission permission, string reason, long? expectedVersion, CancellationToken ct = default) =>
        service.GrantAsync(actor, commandId, aclId, principal, permission, reason, expectedVersion, ct);

    public Task<CommandResult> RevokeAsync(Actor actor, Guid commandId, Guid aclId, string principal, Permission permission, string reason, long? expectedVersion, CancellationToken ct = default) =>
        service.RevokeAsync(actor, commandId, aclId, principal, permission, reason, expectedVersion, ct);
}
