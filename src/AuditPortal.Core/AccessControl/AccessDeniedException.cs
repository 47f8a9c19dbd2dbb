namespace AuditPortal.Core.AccessControl;

/// <summary>
/// Thrown by a read or operations service when the caller lacks the permission at the moment of the call
/// (never signed in, or revoked while a page was open). Pages show <see cref="Exception.Message"/> and stop
/// showing data; nothing was read.
/// </summary>
public sealed class AccessDeniedException(Permission missing)
    : Exception($"You no longer have access: this needs the {missing} permission. Ask an admin if you should have it.")
{
    public Permission Missing { get; } = missing;
}
