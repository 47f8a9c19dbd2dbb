using System.Collections.Concurrent;

namespace AuditPortal.Web.Infrastructure.Auth;

/// <summary>
/// When each user last signed out. A sign-out ends every session of that user issued before it: the cookie of
/// another tab or browser (checked on each request) and every open circuit (checked on the revalidation interval).
/// This node's sign-outs count at once; those of other nodes sharing the database (and those before a restart)
/// arrive through <see cref="SignOutSync"/> from the event store (<see cref="SignOutLog"/>).
/// </summary>
public sealed class SignOutRecords(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, long> _signedOutAt = new(StringComparer.OrdinalIgnoreCase);

    public void Record(string userName) => Note(userName, time.GetUtcNow().UtcTicks);

    /// <summary>A sign-out at <paramref name="utcTicks"/>; an earlier one than already known changes nothing.</summary>
    public void Note(string userName, long utcTicks) =>
        _signedOutAt.AddOrUpdate(userName, utcTicks, (_, known) => Math.Max(known, utcTicks));

    public bool EndedAfter(string userName, long issuedTicks) => _signedOutAt.TryGetValue(userName, out var at) && at >= issuedTicks;
}
