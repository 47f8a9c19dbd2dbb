using JasperFx;
using Marten.Exceptions;
using Marten.Services.BatchQuerying;
using Microsoft.Extensions.Logging;

namespace AuditPortal.Core.Common;

/// <summary>
/// The one place where a command meets Marten: authorization through <see cref="PortalAccess"/> (the portal's one gate), idempotency by
/// command id, Marten metadata (user, correlation, causation), and the mapping of failures to results.
/// The command services call the decide step (<see cref="StartAsync{T,TEvent}"/>, <see cref="DecideAsync{T,TEvent}"/>):
/// fetch the stream with the version the user saw, run the pure <c>Handle(state, command)</c>, append, save; a command
/// that touches two streams passes its own body to <see cref="ExecuteAsync"/> with <see cref="FetchForWritingAsync{T}"/>.
/// The permission is checked against the portal's list folded from its events (never the writable read model) on
/// every command, before the idempotency lookup,
/// so a revocation takes effect at the user's very next command (even in a circuit signed in long ago) and a
/// refused user learns nothing about earlier outcomes. Every refusal is recorded as a <see cref="CommandDenied"/>
/// event on the user's access-log stream in a session of its own, so it commits although the command does not.
/// </summary>
public sealed class CommandExecutor(IDocumentStore store, ILogger<CommandExecutor> logger)
{
    public IDocumentStore Store => store;

    /// <summary>Starts the stream <paramref name="streamId"/> with the event the pure decision returns for its current state (none, unless it exists).</summary>
    public Task<CommandResult> StartAsync<T, TEvent>(
        Actor actor, Permission required, Guid commandId, string commandType, Guid streamId,
        Func<T?, TEvent> decide, Func<TEvent, string> accepted, CancellationToken ct = default)
        where T : class where TEvent : notnull =>
        ExecuteAsync(actor, required, commandId, commandType, async session =>
        {
            var started = decide(await session.Events.AggregateStreamAsync<T>(streamId, token: ct));
            session.Events.StartStream<T>(streamId, started);
            return CommandResult.Accepted(streamId, 1, accepted(started));
        }, ct: ct);

    /// <summary>
    /// The decide step on one existing stream: fetch it for writing with the version the user saw, run the pure decision,
    /// append its event; a concurrent change answers with <paramref name="kind"/>'s conflict message.
    /// <paramref name="accepted"/> gets the state before the event.
    /// </summary>
    public Task<CommandResult> DecideAsync<T, TEvent>(
        StreamKind<T> kind, Actor actor, Permission required, Guid commandId, string commandType, Guid streamId, long? expectedVersion,
        Func<T?, TEvent> decide, Func<T, TEvent, string> accepted, CancellationToken ct = default)
        where T : class where TEvent : notnull =>
        ExecuteAsync(actor, required, commandId, commandType, (session, reads) =>
        {
            // The stream is read in the same round trip as the permission's version probe.
            var fetched = FetchForWritingAsync(session, reads, kind, streamId, expectedVersion);
            return async () =>
            {
                var stream = await fetched;
                var decided = decide(stream.Aggregate);
                stream.AppendOne(decided);
                return CommandResult.Accepted(streamId, stream.CurrentVersion!.Value, accepted(stream.Aggregate!, decided));
            };
        }, () => ConflictAsync(kind, streamId, ct), ct);

    /// <summary><see cref="FetchForWritingAsync{T}(IDocumentSession, StreamKind{T}, Guid, long?, CancellationToken)"/> queued on the command's batch of reads.</summary>
    private static Task<IEventStream<T>> FetchForWritingAsync<T>(IDocumentSession session, IBatchedQuery reads, StreamKind<T> kind, Guid streamId, long? expectedVersion)
        where T : class =>
        streamId == Guid.Empty ? throw new DomainException(new NotFound(kind.Name, streamId.ToString()))
        : expectedVersion is { } v
            ? reads.Events.FetchForWriting<T>(streamId, v)
            : reads.Events.FetchForExclusiveWriting<T>(streamId);

    /// <summary>
    /// With the version the user saw, a concurrent change is a conflict to show; without one (internal callers),
    /// the stream is locked for the transaction so that parallel commands serialize and the decision's checks hold.
    /// </summary>
    public static Task<IEventStream<T>> FetchForWritingAsync<T>(IDocumentSession session, StreamKind<T> kind, Guid streamId, long? expectedVersion, CancellationToken ct)
        where T : class =>
        // Marten throws on an empty stream id: no stream has it, so say so.
        streamId == Guid.Empty ? throw new DomainException(new NotFound(kind.Name, streamId.ToString()))
        : expectedVersion is { } v
            ? session.Events.FetchForWriting<T>(streamId, v, ct)
            : session.Events.FetchForExclusiveWriting<T>(streamId, ct);

    /// <summary>The answer to a version conflict on <paramref name="streamId"/>: the stream as it is now, or "not found" when it never existed.</summary>
    public async Task<CommandResult> ConflictAsync<T>(StreamKind<T> kind, Guid streamId, CancellationToken ct) where T : class
    {
        await using var query = store.QuerySession();
        var state = await query.Events.FetchStreamStateAsync(streamId, ct);
        var current = state is null ? null : await query.Events.AggregateStreamAsync<T>(streamId, token: ct);
        // An expected version on a stream that was never started is not a conflict: it does not exist.
        return current is null
            ? CommandResult.Rejected(new NotFound(kind.Name, streamId.ToString()))
            : CommandResult.Conflict(kind.ConflictMessage(current), state!.Version);
    }

    public Task<CommandResult> ExecuteAsync(
        Actor actor, Permission? required, Guid commandId, string commandType,
        Func<IDocumentSession, Task<CommandResult>> body,
        Func<Task<CommandResult>>? onConflict = null,
        CancellationToken ct = default) =>
        ExecuteAsync(actor, required, commandId, commandType, (session, _) => () => body(session), onConflict, ct);

    /// <summary>
    /// <paramref name="body"/> first queues the reads its decision needs on the batch (e.g. the stream to write), which
    /// goes to the database in one round trip with the permission's version probe; the function it returns decides and
    /// appends once the permission holds. Nothing it read is used, nor any of its errors shown, for a refused user.
    /// </summary>
    public Task<CommandResult> ExecuteAsync(
        Actor actor, Permission? required, Guid commandId, string commandType,
        Func<IDocumentSession, IBatchedQuery, Func<Task<CommandResult>>> body,
        Func<Task<CommandResult>>? onConflict = null,
        CancellationToken ct = default) =>
        RunAsync(actor, required, ownStream: false, commandId, commandType, body, onConflict, ct);

    /// <summary>
    /// A command a signed-in person issues on their own stream only (their preferences): no portal permission is
    /// needed, since nobody else's data is read or changed, but everything else (metadata, idempotency, failures) is
    /// the same pipeline. The body must derive the stream from <paramref name="actor"/>, never from an argument.
    /// </summary>
    public Task<CommandResult> ExecuteOwnAsync(
        Actor actor, Guid commandId, string commandType, Func<IDocumentSession, Task<CommandResult>> body, CancellationToken ct = default) =>
        RunAsync(actor, null, ownStream: true, commandId, commandType, (session, _) => () => body(session), null, ct);

    private async Task<CommandResult> RunAsync(
        Actor actor, Permission? required, bool ownStream, Guid commandId, string commandType,
        Func<IDocumentSession, IBatchedQuery, Func<Task<CommandResult>>> body,
        Func<Task<CommandResult>>? onConflict,
        CancellationToken ct)
    {
        if (commandId == Guid.Empty)
            return CommandResult.Rejected(new ValidationError("commandId", "Every command needs a command id made by the caller."));
        try
        {
            // The command's metadata: one operation per command unless the actor carries its own correlation, caused by the command.
            await using var session = EventLog.OpenSession(store, new EventMetadata(actor.UserName, actor.CorrelationFor(commandId), commandId.ToString()));

            if (string.IsNullOrWhiteSpace(actor.UserName))
            {
                logger.LogWarning("Denied {CommandType}: no signed-in user", commandType);
                return CommandResult.Forbidden("Sign in first: nothing was recorded.");
            }

            // A command without a permission is a system task (bootstrap, import): never open to a signed-in person.
            if (required is null && !ownStream && !PortalAccess.IsSystem(actor))
            {
                logger.LogWarning("Denied {CommandType} for {Actor}: only the system may issue it", commandType, actor.UserName);
                return CommandResult.Forbidden("Only the portal itself may do this.");
            }

            var reads = session.CreateBatchQuery();
            var aclVersion = AccessControlFromEvents.QueueVersion(session, reads, Resources.PortalAclId);
            // A body that refuses before reading anything (e.g. an empty id) is answered only after the permission check.
            Func<Task<CommandResult>> decide;
            try { decide = body(session, reads); }
            catch (DomainException e) { decide = () => throw e; }
            Exception? readFailure = null;
            try { await reads.Execute(ct); }
            catch (Exception e) when (required is not null) { readFailure = e; }

            // After a failed batch the probe may not have been read: an outage says only that (nothing to hide); any
            // other failure waits for a check that reads the version itself, on a session of its own.
            long? probed = readFailure is null || aclVersion.IsCompletedSuccessfully ? await aclVersion : null;
            if (readFailure is not null && probed is null && IsUnavailable(readFailure))
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(readFailure);

            async Task<bool> IsAllowedOnAsync(Permission p, long? version)
            {
                if (version is not null || readFailure is null) return await PortalAccess.IsAllowedAsync(session, actor, p, ct, version);
                await using var fresh = store.QuerySession();
                return await PortalAccess.IsAllowedAsync(fresh, actor, p, ct);
            }

            if (required is { } permission && !await IsAllowedOnAsync(permission, probed))
            {
                logger.LogWarning("Denied {CommandType} for {Actor}: missing {Permission}", commandType, actor.UserName, permission);
                await ReportTamperingAsync(session, logger, ct);
                await RecordDenialAsync(actor, permission, commandId, commandType, ct);
                return CommandResult.Forbidden($"You do not have the {permission} permission needed to do this.");
            }

            // No lookup of the command id before the decision (a round trip on every command): a copy of an accepted
            // command fails on the ProcessedCommand insert or on the stream version, and both paths below answer with
            // the first copy's outcome; a copy whose decision now fails asks the same record first. Allowed, the
            // reads' own failure (e.g. a version conflict) now counts.
            if (readFailure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(readFailure);
            CommandResult result;
            try { result = await decide(); }
            catch (DomainException e) { return await PriorOutcomeAsync(commandId, ct) ?? CommandResult.Rejected(e.Error); }
            if (!result.Succeeded) return await PriorOutcomeAsync(commandId, ct) ?? result;

            session.Insert(new ProcessedCommand
            {
                Id = commandId, CommandType = commandType, Actor = actor.UserName, At = DateTimeOffset.UtcNow,
                StreamId = result.StreamId, Version = result.Version, Message = result.Message,
            });
            await session.SaveChangesAsync(ct);
            return result;
        }
        catch (DomainException e)
        {
            return CommandResult.Rejected(e.Error);
        }
        catch (DocumentAlreadyExistsException e) when (e.Id is Guid id && id == commandId)
        {
            // The same command id committed first on another connection: answer with its outcome.
            return await PriorOutcomeAsync(commandId, ct) ?? CommandResult.Conflict("The same command is being processed right now; try again.");
        }
        catch (Exception e) when (EventLog.IsConcurrency(e))
        {
            // The loser of a race between two copies of one command sees a version conflict: it must answer
            // with the winner's outcome, not claim that nothing was recorded.
            if (await PriorOutcomeAsync(commandId, ct) is { } first) return first;
            logger.LogInformation("Concurrency conflict on {CommandType} {CommandId}", commandType, commandId);
            return onConflict is null
                ? CommandResult.Conflict("This record changed since you opened it; reload and try again.")
                : await onConflict();
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            logger.LogError(e, "Database unavailable during {CommandType} {CommandId}", commandType, commandId);
            return CommandResult.Unavailable("The database is not reachable right now; nothing was recorded. Try again in a moment.");
        }
    }

    /// <summary>The outcome recorded for <paramref name="commandId"/> by an earlier copy, or null.</summary>
    private async Task<CommandResult?> PriorOutcomeAsync(Guid commandId, CancellationToken ct)
    {
        await using var query = store.QuerySession();
        return (await query.LoadAsync<ProcessedCommand>(commandId, ct))?.ToResult();
    }

    /// <summary>Appends the refusal on the user's access-log stream; a failure here is logged, never turned into an acceptance.</summary>
    private async Task RecordDenialAsync(Actor actor, Permission missing, Guid commandId, string commandType, CancellationToken ct)
    {
        // The refusal belongs to the command's operation: a retry under the same command id continues it.
        var correlation = actor.CorrelationFor(commandId);
        var denied = new CommandDenied(actor.UserName, commandType, commandId, missing, correlation, DateTimeOffset.UtcNow);
        try
        {
            await AccessLogAppend.AppendAsync(store, actor.UserName, denied, correlation, commandId.ToString(), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Could not record the refusal of {CommandType} for {Actor}", commandType, actor.UserName);
        }
    }

    /// <summary>
    /// After a refusal: a read model that would have allowed it is the signature of a forged grant. Logged at error;
    /// the health check and the access-control page report the same comparison.
    /// </summary>
    public static async Task<string?> ReportTamperingAsync(IQuerySession session, ILogger logger, CancellationToken ct)
    {
        try
        {
            var problem = await AccessControlFromEvents.CompareWithReadModelAsync(session, Resources.PortalAclId, ct);
            if (problem is not null) logger.LogError("ACL read model tampered with or out of step with its events: {Problem}", problem);
            return problem;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Could not compare the portal's ACL read model with its events");
            return null;
        }
    }


    /// <summary>The database cannot be reached (network, timeout, transient server state): nothing was decided.</summary>
    public static bool IsUnavailable(Exception e) =>
        e is NpgsqlException { IsTransient: true } or TimeoutException or System.Net.Sockets.SocketException
        || e is NpgsqlException && e.InnerException is System.Net.Sockets.SocketException or IOException or TimeoutException
        || e.InnerException is { } inner && IsUnavailable(inner);
}
