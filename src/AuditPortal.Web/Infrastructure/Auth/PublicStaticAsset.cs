namespace AuditPortal.Web.Infrastructure.Auth;

/// <summary>Marks the static-asset endpoints: public files, the only anonymous responses that may be cached.</summary>
public sealed class PublicStaticAsset;
