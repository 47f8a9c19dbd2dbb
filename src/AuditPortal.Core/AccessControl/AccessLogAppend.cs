namespace AuditPortal.Core.AccessControl;

/// <summary>
/// Adds an event to a user's <see cref="AccessLog"/> stream (a refusal, a sign-in, a sign-out) through
/// <see cref="EventLog.AppendAsync{TStream}(IDocumentStore, Guid, EventMetadata, CancellationToken, object[])"/>:
/// two such events of one user at the same moment race for the next stream version, and the loser appends after the winner.
/// </summary>
public static class AccessLogAppend
{
    /// <summary>Appends <paramref name="event"/> to the log of <paramref name="userName"/>, recorded as done by <paramref name="by"/> (default: that user).</summary>
    public static Task AppendAsync(
        IDocumentStore store, string userName, object @event, string correlationId, string? causationId, CancellationToken ct, string? by = null) =>
        EventLog.AppendAsync<AccessLog>(store, AccessLog.StreamIdFor(userName), new EventMetadata(by ?? userName, correlationId, causationId), ct, @event);
}
