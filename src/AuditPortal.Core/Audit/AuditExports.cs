using AuditPortal.Core.AccessControl;
using AuditPortal.Core.Common;

namespace AuditPortal.Core.Audit;

/// <summary>
/// Records downloads of the audit feed through the command path, so the ExportAudit check and the record are one
/// step: the start is appended (or refused) before the first byte is sent, the end when the last one was.
/// </summary>
public sealed class AuditExports(CommandExecutor commands, TimeProvider time)
{
    /// <summary>Checks ExportAudit for <paramref name="actor"/> at this moment and records the start; Forbidden when refused.</summary>
    public Task<CommandResult> StartAsync(Actor actor, Guid exportId, AuditFilter filter, string format, int maxRows, CancellationToken ct = default)
    {
        var normalized = filter.Normalized();
        return commands.ExecuteAsync(actor, Permission.ExportAudit, exportId, "StartAuditExport", session =>
        {
            session.Events.StartStream<AuditLog>(exportId,
                new AuditExportStarted(exportId, actor.UserName, time.GetUtcNow(), format, normalized, normalized.Describe(), maxRows));
            return Task.FromResult(CommandResult.Accepted(exportId, 1, "Export started."));
        }, ct: ct);
    }

    /// <summary>
    /// Records the end of a started download. Written by the portal itself (a system actor, the exporter named in the
    /// event): a permission revoked during the download must not erase the fact that rows left the portal.
    /// </summary>
    public Task<CommandResult> CompleteAsync(Actor actor, Guid exportId, int rowCount, bool truncated, bool aborted, CancellationToken ct = default) =>
        commands.ExecuteAsync(Actor.System("audit-export") with { CorrelationId = actor.CorrelationId }, null, Guid.CreateVersion7(), "CompleteAuditExport", session =>
        {
            // Version 2 (the start is version 1): an event is bound to its place in the stream (EventBinding).
            session.Events.Append(exportId, 2, new AuditExportCompleted(exportId, actor.UserName, time.GetUtcNow(), rowCount, truncated, aborted));
            return Task.FromResult(CommandResult.Accepted(exportId, 2, "Export recorded."));
        }, ct: ct);
}
