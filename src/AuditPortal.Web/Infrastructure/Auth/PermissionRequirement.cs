namespace AuditPortal.Web.Infrastructure.Auth;

/// <summary>Met when the user holds any of the permissions on the portal's list.</summary>
public sealed class PermissionRequirement(params Permission[] anyOf) : IAuthorizationRequirement
{
    public IReadOnlyList<Permission> AnyOf { get; } = anyOf;
}
