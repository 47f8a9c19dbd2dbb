namespace AuditPortal.Core.AccessControl;

/// <summary>
/// The one way to add an event to a user's <see cref="AccessLog"/> stream (a refusal, a sign-out). Two such events of
/// one user at the same moment race for the next stream version; the loser fetches again and retries, up to five times.
/// </summary>
public static class AccessLogAppend
{
    private const int MaxAttempts = 5;

    /// <summary>Appends <paramref name="event"/> to the log of <paramref name="userName"/>, recorded as done by <paramref name="by"/> (default: that user).</summary>
    public static async Task AppendAsync(
        IDocumentStore store, string userName, object @event, string correlationId, string? causationId, CancellationToken ct, string? by = null)
    {
        var streamId = AccessLog.StreamIdFor(userName);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var session = store.LightweightSession();
                session.CorrelationId = correlationId;
                // Also when null: Marten would otherwise fill in Activity.Current's parent id.
                session.CausationId = causationId;
                session.LastModifiedBy = by ?? userName;
                var log = await session.Events.FetchForWriting<AccessLog>(streamId, ct);
                log.AppendOne(@event);
                await session.SaveChangesAsync(ct);
                return;
            }
            catch (Exception e) when (CommandExecutor.IsConcurrency(e) && attempt < MaxAttempts)
            {
            }
        }
    }
}
