using JasperFx;
using JasperFx.Events;
using Marten;
using Marten.Exceptions;

namespace AuditPortal.Core.Common;

/// <summary>
/// Who appends and why, as Marten stores it on every event: the user, the operation (correlation id) and the command
/// or request that caused it (causation id; null when nothing did).
/// </summary>
public readonly record struct EventMetadata(string UserName, string? CorrelationId, string? CausationId);

/// <summary>
/// The one way events reach the store. <see cref="OpenSession"/> sets the metadata (the command pipeline,
/// <see cref="CommandExecutor"/>, opens its sessions here and appends with the version the user saw);
/// <see cref="AppendAsync{TStream}"/> appends outside a command (access log, token uses, the rebuild log) with the
/// stream's version as expected version, and on a concurrency conflict reads again and decides again, in one place.
/// The bulk import of a history (demo seed, benchmark) goes through <see cref="ForImport"/>, which sets the same
/// metadata on events written by binary COPY.
/// </summary>
public static class EventLog
{
    /// <summary>Attempts of <see cref="AppendAsync{TStream}"/> before a conflict is thrown to the caller.</summary>
    public const int MaxAttempts = 5;

    /// <summary>A short session whose events carry <paramref name="by"/>.</summary>
    public static IDocumentSession OpenSession(IDocumentStore store, EventMetadata by)
    {
        var session = store.LightweightSession();
        // All three always set, null too: Marten's own default (Activity.Current's trace) would be one id per browser tab's circuit.
        session.CorrelationId = by.CorrelationId;
        session.CausationId = by.CausationId;
        session.LastModifiedBy = by.UserName;
        return session;
    }

    /// <summary>
    /// Appends the events <paramref name="decide"/> returns for the stream as it is (its version, 0 when it does not
    /// exist yet: then the stream is started as a <typeparamref name="TStream"/>), expecting that version on save, so
    /// every event is bound to its place (<see cref="Integrity.EventBinding"/>). Another writer first: read and decide
    /// again, up to <paramref name="attempts"/> times. Returns the stream's version after the append, or null when
    /// <paramref name="decide"/> returned nothing to append.
    /// </summary>
    public static async Task<long?> AppendAsync<TStream>(
        IDocumentStore store, Guid streamId, EventMetadata by, Func<IQuerySession, long, CancellationToken, Task<IReadOnlyList<object>>> decide,
        CancellationToken ct, int attempts = MaxAttempts) where TStream : class
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var session = OpenSession(store, by);
                var version = (await session.Events.FetchStreamStateAsync(streamId, ct))?.Version ?? 0;
                var events = await decide(session, version, ct);
                if (events.Count == 0) return null;
                if (version == 0) session.Events.StartStream<TStream>(streamId, [.. events]);
                // Marten's expected version here is the stream's version after these events.
                else session.Events.Append(streamId, version + events.Count, [.. events]);
                await session.SaveChangesAsync(ct);
                return version + events.Count;
            }
            catch (Exception e) when (IsConcurrency(e) && attempt < attempts)
            {
                // Another writer appended first: its event is now part of the state the next decision sees.
            }
        }
    }

    /// <summary><see cref="AppendAsync{TStream}(IDocumentStore, Guid, EventMetadata, Func{IQuerySession, long, CancellationToken, Task{IReadOnlyList{object}}}, CancellationToken, int)"/> of events that do not depend on the stream's state.</summary>
    public static Task<long?> AppendAsync<TStream>(IDocumentStore store, Guid streamId, EventMetadata by, CancellationToken ct, params object[] events)
        where TStream : class =>
        AppendAsync<TStream>(store, streamId, by, (_, _, _) => Task.FromResult<IReadOnlyList<object>>(events), ct);

    /// <summary>
    /// An event of a bulk import by binary COPY at <paramref name="version"/> of <paramref name="streamId"/>, with its
    /// historic time and metadata, bound with that time signed (<see cref="Integrity.EventBinding.Stamp"/>; the database
    /// keeps it only from the schema owner). The demo seed and the benchmark's million events use COPY rather than
    /// sessions because only it writes each event's historic time, and it is fast enough for a million events; what a
    /// session would set (metadata, binding) is set here instead. Its type names must be final. Returns the binding's cost.
    /// </summary>
    public static TimeSpan ForImport(IEvent e, Guid streamId, long version, DateTimeOffset at, EventMetadata by,
        Integrity.EventBinding? binding, ISerializer serializer)
    {
        e.StreamId = streamId;
        e.Version = version;
        e.Timestamp = at;
        e.UserName = by.UserName;
        e.CorrelationId = by.CorrelationId;
        e.CausationId = by.CausationId;
        return binding?.Stamp(e, streamId, version, JasperFx.StorageConstants.DefaultTenantId, serializer, signTimestamp: true) ?? TimeSpan.Zero;
    }

    /// <summary>A version conflict, recognised by Marten's and JasperFx's exception types (never by type names).</summary>
    public static bool IsConcurrency(Exception e) =>
        e is ConcurrencyException or JasperFx.Events.ExistingStreamIdCollisionException or Marten.Exceptions.ExistingStreamIdCollisionException or JasperFx.Events.StreamLockedException or Marten.Exceptions.StreamLockedException
        or EventStreamUnexpectedMaxEventIdException
        || e.InnerException is { } inner && IsConcurrency(inner);
}
