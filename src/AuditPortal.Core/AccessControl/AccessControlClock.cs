using System.Runtime.CompilerServices;

namespace AuditPortal.Core.AccessControl;

/// <summary>
/// The clock the permission fold reads "now" from, per store: the host's <see cref="TimeProvider"/> (registered in
/// <c>AddPortalMarten</c> before the store exists), so a time-bound grant ends at its instant on the same clock the
/// services and the expiry recorder use, and a test's manual clock moves all of them. Not Marten's
/// <c>Events.TimeProvider</c>: that one stamps events, which must keep the real time.
/// </summary>
public static class AccessControlClock
{
    private static readonly ConditionalWeakTable<StoreOptions, TimeProvider> Clocks = new();

    public static void Use(StoreOptions options, TimeProvider time) => Clocks.AddOrUpdate(options, time);

    public static DateTimeOffset Now(IDocumentStore store) =>
        (store.Options is StoreOptions options && Clocks.TryGetValue(options, out var time) ? time : TimeProvider.System).GetUtcNow();
}
