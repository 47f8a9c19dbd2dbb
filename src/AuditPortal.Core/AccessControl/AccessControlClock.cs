using AuditPortal.Core.Common;
using Marten;

namespace AuditPortal.Core.AccessControl;

/// <summary>
/// "Now" for the permission fold: the store's <see cref="PortalStoreState.Clock"/> (the host's <see cref="TimeProvider"/>,
/// given to <c>AddPortalMarten</c>), so a time-bound grant ends at its instant on the same clock the services use.
/// </summary>
public static class AccessControlClock
{
    public static DateTimeOffset Now(IDocumentStore store) => PortalStoreState.Of(store).Clock.GetUtcNow();
}
