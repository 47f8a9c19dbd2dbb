using AuditPortal.Core.Common;
using Microsoft.AspNetCore.WebUtilities;

namespace AuditPortal.Web.Infrastructure;

public static class AuditRegistration
{
    public const string RowLimitHeader = "X-Export-Row-Limit";
    public const string TruncatedHeader = "X-Export-Truncated";
    public const string TextScanHeader = "X-Export-Text-Scan-Limit";

    /// <summary>Services of the Audit pages.</summary>
    public static IServiceCollection AddAuditPages(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(new AuditLimits(
            Math.Max(1, configuration.GetValue("Audit:MaxExportRows", AuditLimits.Default.MaxExportRows)),
            Math.Max(1, configuration.GetValue("Audit:TextScanEvents", AuditLimits.Default.TextScanEvents))));
        // Scoped: each circuit's feed checks that circuit's user (CurrentUser) on every read.
        services.AddScoped<AuditFeed>();
        services.AddScoped<IAuditReads>(sp => sp.GetRequiredService<AuditFeed>());
        services.AddSingleton<AuditExports>();
        services.AddPortalReads<IStreamStateReads, StreamStateQueries>();
        return services;
    }

    /// <summary>
    /// Streamed CSV and JSON downloads of a filtered audit feed, for signed-in users holding ExportAudit (the endpoint
    /// policy, then the command path again at the moment the download starts, which also records the start).
    /// </summary>
    public static IEndpointRouteBuilder MapAuditEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/audit/export.csv", (HttpContext http, IDocumentStore store, AuditExports exports, AuditLimits limits, TimeProvider time) =>
                ExportAsync(http, store, exports, limits, time, AuditExport.Csv))
            .RequireAuthorization(Policies.ExportAudit).RefusalsAre403();
        app.MapGet("/audit/export.json", (HttpContext http, IDocumentStore store, AuditExports exports, AuditLimits limits, TimeProvider time) =>
                ExportAsync(http, store, exports, limits, time, AuditExport.Json))
            .RequireAuthorization(Policies.ExportAudit).RefusalsAre403();
        return app;
    }

    /// <summary>The address parameter that asks for an evidence export (seals per row, signed manifest): evidence=true.</summary>
    public const string EvidenceParameter = "evidence";

    /// <summary>The newest seal when an evidence export started: the export covers events up to it.</summary>
    public const string SealedThroughHeader = "X-Export-Sealed-Through";

    private static async Task ExportAsync(HttpContext http, IDocumentStore store, AuditExports exports, AuditLimits limits, TimeProvider time, string format)
    {
        var ct = http.RequestAborted;
        http.Response.Headers.CacheControl = "no-store";
        // Never a stand-in identity: only the signed-in user, and never a name the command services would trust as the system.
        if (http.User.Identity is not { IsAuthenticated: true, Name: { Length: > 0 } name } || AccountNames.IsReserved(name))
        {
            await PlainAsync(http, StatusCodes.Status403Forbidden, "Sign in with an account that holds ExportAudit to export the audit feed.");
            return;
        }
        var (filter, error) = AuditQuery.Parse(
            http.Request.Query["actor"], http.Request.Query["streamType"], http.Request.Query["eventType"], http.Request.Query["streamId"],
            http.Request.Query["from"], http.Request.Query["to"], http.Request.Query["text"], http.Request.Query["correlation"],
            http.Request.Query["command"]);
        if (filter is null)
        {
            await PlainAsync(http, StatusCodes.Status400BadRequest, error!);
            return;
        }

        var evidenceAsked = http.Request.Query[EvidenceParameter].ToString();
        var withEvidence = evidenceAsked is "true" or "1";
        if (!withEvidence && evidenceAsked is not ("" or "false" or "0"))
        {
            await PlainAsync(http, StatusCodes.Status400BadRequest, $"evidence={evidenceAsked}: expected true or false.");
            return;
        }
        // Evidence is signed with the checkpoint key, which only the node that publishes checkpoints holds.
        using var checkpointKeys = withEvidence
            ? CheckpointSettings.Resolve(http.RequestServices.GetRequiredService<IConfiguration>(), http.RequestServices.GetRequiredService<IHostEnvironment>(), createDevelopmentKey: false)
            : null;
        if (withEvidence && checkpointKeys?.SigningKey is null)
        {
            await PlainAsync(http, StatusCodes.Status503ServiceUnavailable,
                $"This node does not hold {CheckpointSettings.SigningKeySetting}: evidence exports are signed by the node that publishes checkpoints. Export without evidence, or from that node.");
            return;
        }

        var actor = new Actor(name, http.TraceIdentifier);
        var exportId = Guid.CreateVersion7();
        // Recorded (and the permission checked against the list at this moment) before the first byte is sent.
        var started = await exports.StartAsync(actor, exportId, filter, withEvidence ? format + "+evidence" : format, limits.MaxExportRows, ct);
        if (!started.Succeeded)
        {
            await PlainAsync(http, started.Status == CommandStatus.Forbidden ? StatusCodes.Status403Forbidden : StatusCodes.Status503ServiceUnavailable,
                started.Status == CommandStatus.Forbidden ? "You do not have the ExportAudit permission needed to export the audit feed." : started.Message);
            return;
        }

        var feed = new AuditFeed(store, new FixedActor(actor), limits);
        var startedAt = time.GetUtcNow();
        var stamp = startedAt.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        ExportEvidence? evidence = null;
        if (withEvidence)
        {
            // Only sealed events: the receiver checks each row against its seal. Newer ones are sealed within seconds.
            evidence = await ExportEvidence.ForStoreAsync(store, exportId, name, startedAt, filter, () => feed.TextScanLow, checkpointKeys!.SigningKey!, ct);
            http.Response.Headers[SealedThroughHeader] = evidence.SealedThrough.ToString(CultureInfo.InvariantCulture);
        }
        var sealedThrough = evidence?.SealedThrough;
        http.Response.ContentType = format == AuditExport.Csv ? "text/csv; charset=utf-8" : "application/json; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"audit-{stamp}{(withEvidence ? "-evidence" : "")}.{format}\"";
        http.Response.Headers[RowLimitHeader] = limits.MaxExportRows.ToString(CultureInfo.InvariantCulture);
        // Whether the limit will cut the export is known before the body: a bounded probe (at most the limit plus one
        // row ids, text search capped as in the feed). The body's last row says so too.
        var (matching, textScanCapped) = await feed.CountUpToAsync(filter, limits.MaxExportRows + 1, ct, sealedThrough);
        if (matching > limits.MaxExportRows) http.Response.Headers[TruncatedHeader] = "true";
        if (textScanCapped) http.Response.Headers[TextScanHeader] = limits.TextScanEvents.ToString(CultureInfo.InvariantCulture);
        var rows = feed.ReadAllAsync(filter, limits.MaxExportRows + 1, ct, sealedThrough);
        var names = await feed.ExportDisplayNamesAsync(ct);
        var outcome = new ExportOutcome(0, false);
        var aborted = true;
        try
        {
            outcome = format == AuditExport.Csv
                ? await AuditExport.WriteCsvAsync(rows, http.Response.Body, limits.MaxExportRows, names, ct, evidence)
                : await AuditExport.WriteJsonAsync(rows, http.Response.Body, limits.MaxExportRows, names, ct, evidence);
            aborted = false;
        }
        finally
        {
            await exports.CompleteAsync(actor, exportId, outcome.Rows, outcome.Truncated, aborted, CancellationToken.None);
        }
    }

    private static async Task PlainAsync(HttpContext http, int status, string message)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/plain; charset=utf-8";
        await http.Response.WriteAsync(message, http.RequestAborted);
    }
}
