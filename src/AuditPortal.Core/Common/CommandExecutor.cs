using AuditPortal.Core.AccessControl;
using JasperFx;
using JasperFx.Events;
using Marten;
using Marten.Exceptions;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace AuditPortal.Core.Common;

/// <summary>
/// The one place where a command meets Marten: authorization against the portal's ACL, idempotency by
/// command id, Marten metadata (user, correlation, causation), and the mapping of failures to results.
/// The command services pass a body that does FetchForWriting + decide + Append.
/// </summary>
public sealed class CommandExecutor(IDocumentStore store, ILogger<CommandExecutor> logger)
{
    public IDocumentStore Store => store;

    public async Task<CommandResult> ExecuteAsync(
        Actor actor, Permission? required, Guid commandId, string commandType,
        Func<IDocumentSession, Task<CommandResult>> body,
        Func<Task<CommandResult>>? onConflict = null,
        CancellationToken ct = default)
    {
        if (commandId == Guid.Empty)
            return CommandResult.Rejected(new ValidationError("commandId", "Every command needs a command id made by the caller."));
        try
        {
            await using var session = store.LightweightSession();
            session.CorrelationId = actor.CorrelationId;
            session.CausationId = commandId.ToString();
            session.LastModifiedBy = actor.UserName;

            if (required is { } permission && !await IsAllowedAsync(session, actor, permission, ct))
            {
                logger.LogWarning("Denied {CommandType} for {Actor}: missing {Permission}", commandType, actor.UserName, permission);
                return CommandResult.Forbidden($"You do not have the {permission} permission needed to do this.");
            }

            var prior = await session.LoadAsync<ProcessedCommand>(commandId, ct);
            if (prior is not null) return prior.ToResult();

            var result = await body(session);
            if (!result.Succeeded) return result;

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
            await using var query = store.QuerySession();
            var first = await query.LoadAsync<ProcessedCommand>(commandId, ct);
            return first?.ToResult() ?? CommandResult.Conflict("The same command is being processed right now; try again.");
        }
        catch (Exception e) when (IsConcurrency(e))
        {
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

    public static async Task<bool> IsAllowedAsync(IQuerySession session, Actor actor, Permission permission, CancellationToken ct)
    {
        if (actor.UserName.StartsWith("system:", StringComparison.Ordinal)) return true;
        var portal = await session.LoadAsync<AccessControlListView>(Resources.PortalAclId, ct);
        return portal?.Has(actor.UserName, permission) == true;
    }

    private static bool IsConcurrency(Exception e) =>
        e is ConcurrencyException or JasperFx.Events.ExistingStreamIdCollisionException or Marten.Exceptions.ExistingStreamIdCollisionException or JasperFx.Events.StreamLockedException or Marten.Exceptions.StreamLockedException
        || e.GetType().Name.Contains("Concurrency", StringComparison.Ordinal)
        || e.GetType().Name.Contains("UnexpectedMaxEventId", StringComparison.Ordinal)
        || e.InnerException is { } inner && IsConcurrency(inner);

    private static bool IsUnavailable(Exception e) =>
        e is NpgsqlException { IsTransient: true } or TimeoutException or System.Net.Sockets.SocketException
        || e is NpgsqlException && e.InnerException is System.Net.Sockets.SocketException or IOException or TimeoutException
        || e.InnerException is { } inner && IsUnavailable(inner);
}
