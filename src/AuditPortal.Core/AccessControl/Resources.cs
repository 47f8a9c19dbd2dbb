namespace AuditPortal.Core.AccessControl;

/// <summary>The names of the resources an access-control list protects.</summary>
public static class Resources
{
    /// <summary>The portal's own list has a well-known stream id so authorization can load it directly.</summary>
    public static readonly Guid PortalAclId = new("01900000-0000-7000-8000-000000000001");
    public const string Portal = "portal";
    public static string Wallet(Guid id) => $"wallet:{id}";
    public static string Job(Guid id) => $"job:{id}";
}
