namespace AuditPortal.Core.Audit;

/// <summary>
/// Records downloads of the audit feed through the command path, so the ExportAudit check and the record are one
/// step: the start is appended (or refused) before the first byte is sent, the end when the last one was.
/// </summary>
public sealed class AuditExports(CommandExecutor commands, TimeProvider time) : IPortalReads
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
    /// Checks that <paramref name="actor"/> may view the access review (EditAccessControl or ReadAudit, at this moment) and
    /// records the start of its CSV download on the same kind of stream as an audit export; Forbidden when refused.
    /// </summary>
    public async Task<CommandResult> StartAccessReviewAsync(Actor actor, Guid exportId, AccessReviewFilter filter, CancellationToken ct = default)
    {
        // The executor checks one permission and records a refusal: the one of the two the actor holds (or, if neither, the admin's).
        Permission required;
        await using (var query = commands.Store.QuerySession())
            required = await PortalAccess.IsAllowedAsync(query, actor, Permission.ReadAudit, ct) ? Permission.ReadAudit : Permission.EditAccessControl;
        return await commands.ExecuteAsync(actor, required, exportId, "StartAccessReviewExport", session =>
        {
            session.Events.StartStream<AuditLog>(exportId,
                new AuditExportStarted(exportId, actor.UserName, time.GetUtcNow(), AccessReviewFormat, new AuditFilter(), filter.Describe(), int.MaxValue));
            return Task.FromResult(CommandResult.Accepted(exportId, 1, "Export started."));
        }, ct: ct);
    }

    /// <summary>The format an access-review download is recorded with (the audit feed's are csv and json).</summary>
    public const string AccessReviewFormat = "access-review-csv";

    /// <summary>
    /// Records the end of a started download. Written by the portal itself (a system actor, the exporter named in the
    /// event): a permission revoked during the download must not erase the fact that rows left the portal.
    /// </summary>
    [NotGated("recorded by the portal itself: a permission revoked during a download must not erase that rows left")]
    public Task<CommandResult> CompleteAsync(Actor actor, Guid exportId, int rowCount, bool truncated, bool aborted, CancellationToken ct = default) =>
        commands.ExecuteAsync(Actor.System("audit-export") with { CorrelationId = actor.CorrelationFor(exportId) }, null, Guid.CreateVersion7(), "CompleteAuditExport", session =>
        {
            // Caused by the export's own command (its id is the export id), so the operation's tree shows start and end
            // under one command rather than the end as a stray system command.
            session.CausationId = exportId.ToString();
            // Version 2 (the start is version 1): an event is bound to its place in the stream (EventBinding).
            session.Events.Append(exportId, 2, new AuditExportCompleted(exportId, actor.UserName, time.GetUtcNow(), rowCount, truncated, aborted));
            return Task.FromResult(CommandResult.Accepted(exportId, 2, "Export recorded."));
        }, ct: ct);
}
